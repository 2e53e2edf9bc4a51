namespace Firecrawl.Streaming.Pipeline;

/// <summary>What a finished pipeline run did: pages read, what each sink wrote, and where a later run resumes.</summary>
public sealed class PipelineResult
{
    /// <summary>Gets the number of pages read from the source.</summary>
    public long PagesRead { get; init; }

    /// <summary>Gets the page bytes (<see cref="ScrapedPage.Utf8Length"/>) read from the source.</summary>
    public long BytesRead { get; init; }

    /// <summary>Gets the time from the start of the run to the end of the last flush.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>
    /// Gets the resume token of the last page every sink has made durable (the one the checkpoint store holds),
    /// or the token the run resumed from when it read no page, or null.
    /// </summary>
    public string? LastCheckpoint { get; init; }

    /// <summary>Gets what each sink wrote, in the order the sinks were given.</summary>
    public IReadOnlyList<SinkResult> Sinks { get; init; } = [];

    /// <summary>Gets what the run accounted for of the job's pages, when the source knows its job (<see cref="IJobStatusSource"/>).</summary>
    public JobCoverage? Coverage { get; init; }

    internal PipelineResult With(JobCoverage coverage) => new()
    {
        PagesRead = PagesRead,
        BytesRead = BytesRead,
        Elapsed = Elapsed,
        LastCheckpoint = LastCheckpoint,
        Sinks = Sinks,
        Coverage = coverage,
    };
}

/// <summary>What one sink wrote during a run.</summary>
public sealed class SinkResult
{
    /// <summary>Gets the sink's <see cref="IPageSink.Name"/>.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the number of pages the sink accepted (a batch written again after a failure counts once).</summary>
    public long PagesWritten { get; init; }

    /// <summary>Gets the page bytes (<see cref="ScrapedPage.Utf8Length"/>) the sink accepted.</summary>
    public long BytesWritten { get; init; }

    /// <summary>Gets the number of writes and flushes that failed and were tried again.</summary>
    public long Retries { get; init; }

    /// <summary>Gets the time from the start of the run until the sink's last flush returned.</summary>
    public TimeSpan Elapsed { get; init; }
}
