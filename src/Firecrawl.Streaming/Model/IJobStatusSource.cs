namespace Firecrawl.Streaming;

/// <summary>
/// A source of pages that also knows its job's latest status and what it has accounted for: how the pipeline and
/// progress displays learn a job's counts without knowing where the pages come from.
/// </summary>
public interface IJobStatusSource
{
    /// <summary>Gets the job's status as of the latest response, or <see langword="null"/> before the first one.</summary>
    JobStatus? Status { get; }

    /// <summary>Gets what the source has delivered and dropped so far.</summary>
    JobCoverage Coverage { get; }
}
