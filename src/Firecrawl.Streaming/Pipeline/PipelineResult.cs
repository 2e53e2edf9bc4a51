using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Firecrawl.Streaming.Pipeline;

/// <summary>What a pipeline run did: pages read, what each sink wrote and made durable, and where a later run resumes.</summary>
/// <remarks>
/// A run that fails or is cancelled throws (the source's or the sink's own exception, or an
/// <see cref="OperationCanceledException"/>) after saving what it could; <see cref="TryGetPartial"/> gets the result of
/// that run from the exception, e.g. to say how many pages were saved.
/// </remarks>
public sealed class PipelineResult
{
    private static readonly ConditionalWeakTable<Exception, PipelineResult> s_partial = [];

    /// <summary>Gets the number of pages read from the source.</summary>
    public long PagesRead { get; init; }

    /// <summary>Gets the page bytes (<see cref="ScrapedPage.Utf8Length"/>) read from the source.</summary>
    public long BytesRead { get; init; }

    /// <summary>
    /// Gets the number of pages read in this run that every sink has made durable (or set aside in its dead-letter
    /// file): the pages <see cref="LastCheckpoint"/> covers. A run started again from that checkpoint reads none of them.
    /// </summary>
    public long PagesDurable { get; init; }

    /// <summary>Gets the number of distinct pages (by job and <see cref="ScrapedPage.Key"/>) any sink set aside as dead letters.</summary>
    public long PagesDeadLettered { get; init; }

    /// <summary>Gets the time from the start of the run to the end of the last flush.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>
    /// Gets the resume token of the last page every sink has made durable (the page the checkpoint store's
    /// <see cref="Checkpoints.PipelineCheckpoint.ResumeAfter"/> names), or the token the run resumed from when it made no
    /// page durable, or null.
    /// </summary>
    public string? LastCheckpoint { get; init; }

    /// <summary>Gets what each sink wrote, in the order the sinks were given.</summary>
    public IReadOnlyList<SinkResult> Sinks { get; init; } = [];

    /// <summary>
    /// Gets what the run accounted for of the job's pages, when the source knows its job (<see cref="IJobStatusSource"/>),
    /// with <see cref="JobCoverage.DeadLettered"/> set to <see cref="PagesDeadLettered"/>.
    /// </summary>
    public JobCoverage? Coverage { get; init; }

    /// <summary>Gets the result of a run that ended with <paramref name="exception"/>: what it saved before it failed or was cancelled.</summary>
    /// <param name="exception">The exception the run threw.</param>
    /// <param name="result">The run's result, when the exception came from a pipeline run.</param>
    /// <returns>Whether the exception came from a pipeline run.</returns>
    /// <example>
    /// <code>
    /// catch (Exception e) when (PipelineResult.TryGetPartial(e, out PipelineResult? saved))
    /// {
    ///     Console.Error.WriteLine($"{e.Message} — {saved.PagesDurable} pages saved; run again with the same checkpoint to resume.");
    /// }
    /// </code>
    /// </example>
    public static bool TryGetPartial(Exception exception, [NotNullWhen(true)] out PipelineResult? result)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return s_partial.TryGetValue(exception, out result);
    }

    /// <summary>Records this result as the partial result of the run that ends with <paramref name="exception"/>.</summary>
    internal void AttachTo(Exception exception) => s_partial.AddOrUpdate(exception, this);

    internal PipelineResult With(JobCoverage coverage) => new()
    {
        PagesRead = PagesRead,
        BytesRead = BytesRead,
        PagesDurable = PagesDurable,
        PagesDeadLettered = PagesDeadLettered,
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

    /// <summary>Gets the number of pages the sink made durable: its last successful flush covered them and every page before them.</summary>
    public long PagesDurable { get; init; }

    /// <summary>Gets the number of pages the sink set aside in its dead-letter file (<see cref="SinkOptions.DeadLetter"/>).</summary>
    public long PagesDeadLettered { get; init; }

    /// <summary>Gets the number of writes and flushes that failed and were tried again.</summary>
    public long Retries { get; init; }

    /// <summary>Gets the time from the start of the run until the sink's last flush returned.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Gets the exception the sink failed with (after its retries), or null; set in partial results (<see cref="PipelineResult.TryGetPartial"/>).</summary>
    public Exception? Error { get; init; }
}
