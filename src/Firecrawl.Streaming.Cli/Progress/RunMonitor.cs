using System.Diagnostics;
using Firecrawl.Streaming.Cli.Running;
using Firecrawl.Streaming.Pipeline;

namespace Firecrawl.Streaming.Cli.Progress;

/// <summary>What a progress display shows at one moment.</summary>
internal sealed record RunSnapshot(
    string JobId,
    long Pages,
    long? Total,
    string Status,
    double MegabytesReceived,
    long Chunks,
    double PagesPerSecond,
    TimeSpan Elapsed,
    IReadOnlyList<SinkProgress> Sinks);

/// <summary>
/// Joins the two sources of progress: the stream (job status, bytes and chunks received) and the pipeline's
/// snapshots (per sink pages written and queue depth), which arrive on a timer thread.
/// </summary>
/// <param name="jobId">The job.</param>
/// <param name="pages">The stream, observed.</param>
/// <param name="sinkNames">The sinks, for the display before the pipeline's first snapshot.</param>
/// <param name="resumed">Whether the run started after a checkpoint: pages before the first one of this run then count as delivered.</param>
internal sealed class RunMonitor(string jobId, ObservedPages pages, IReadOnlyList<string> sinkNames, bool resumed) : IProgress<PipelineProgress>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private PipelineProgress? _latest;

    public ObservedPages Pages { get; } = pages;

    public bool Resumed { get; } = resumed;

    /// <summary>
    /// Gets the pages of the job delivered so far, counting, on a resumed run, those before the checkpoint (their
    /// number is the position of this run's first page, as positions count from 0).
    /// </summary>
    public long Delivered => Pages.Count + (Resumed ? Math.Max(Pages.FirstPosition, 0) : 0);

    /// <summary>Gets called with each pipeline snapshot after it is stored, for displays that print as they go.</summary>
    public event Action<RunSnapshot>? Reported;

    public void Report(PipelineProgress value)
    {
        Volatile.Write(ref _latest, value);
        Reported?.Invoke(Snapshot());
    }

    public RunSnapshot Snapshot()
    {
        PipelineProgress? latest = Volatile.Read(ref _latest);
        BatchScrapeStatus? status = Pages.Source.Status;
        TimeSpan elapsed = _clock.Elapsed;
        long pages = Pages.Count;
        IReadOnlyList<SinkProgress> sinks = latest?.Sinks is { Count: > 0 } reported
            ? reported
            : [.. sinkNames.Select(name => new SinkProgress { Name = name })];
        return new RunSnapshot(
            jobId,
            Delivered,
            status?.Total,
            status?.Status ?? "connecting",
            Pages.Source.BytesReceived / 1_048_576d,
            Pages.Source.ChunksReceived,
            pages / Math.Max(elapsed.TotalSeconds, 1e-3),
            elapsed,
            sinks);
    }
}
