namespace Firecrawl.Streaming.Pipeline;

/// <summary>A snapshot of a running pipeline, sent to <see cref="PipelineOptions.Progress"/>.</summary>
public sealed class PipelineProgress
{
    /// <summary>Gets the number of pages read from the source so far.</summary>
    public long PagesRead { get; init; }

    /// <summary>Gets the page bytes read from the source so far.</summary>
    public long BytesRead { get; init; }

    /// <summary>Gets the job's latest status when the source is a <see cref="JobPages"/> stream, else null.</summary>
    public JobStatus? JobStatus { get; init; }

    /// <summary>Gets what the source has delivered and dropped so far, when it knows its job (<see cref="IJobStatusSource"/>).</summary>
    public JobCoverage? Coverage { get; init; }

    /// <summary>Gets the time since the run started.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Gets the resume token of the latest checkpoint, or null before the first.</summary>
    public string? LastCheckpoint { get; init; }

    /// <summary>Gets a value indicating whether this is the last snapshot of a successful run.</summary>
    public bool IsFinal { get; init; }

    /// <summary>Gets each sink's progress, in the order the sinks were given.</summary>
    public IReadOnlyList<SinkProgress> Sinks { get; init; } = [];
}

/// <summary>One sink's part of a <see cref="PipelineProgress"/> snapshot.</summary>
public sealed class SinkProgress
{
    /// <summary>Gets the sink's <see cref="IPageSink.Name"/>.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the number of pages the sink has accepted.</summary>
    public long PagesWritten { get; init; }

    /// <summary>Gets the page bytes the sink has accepted.</summary>
    public long BytesWritten { get; init; }

    /// <summary>Gets the number of pages the sink has made durable (its last flush covered them).</summary>
    public long PagesDurable { get; init; }

    /// <summary>Gets the sink's average rate since the run started, in pages per second.</summary>
    public double PagesPerSecond { get; init; }

    /// <summary>Gets the number of pages waiting in the sink's queue.</summary>
    public int QueueDepth { get; init; }

    /// <summary>Gets the number of writes and flushes that failed and were tried again.</summary>
    public long Retries { get; init; }
}
