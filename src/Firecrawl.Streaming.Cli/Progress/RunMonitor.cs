using System.Diagnostics;
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
/// Turns the pipeline's snapshots (job coverage, per sink pages written and queue depth), which arrive on a timer
/// thread, into what a display shows.
/// </summary>
/// <param name="jobId">The job.</param>
/// <param name="sinkNames">The sinks, for the display before the pipeline's first snapshot.</param>
/// <param name="idleStatus">The status shown while no job status is known: <c>connecting</c>, or <c>listening</c> for webhooks.</param>
internal sealed class RunMonitor(string jobId, IReadOnlyList<string> sinkNames, string idleStatus = "connecting") : IProgress<PipelineProgress>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private PipelineProgress? _latest;

    /// <summary>Gets the pages read in this run so far.</summary>
    public long PagesThisRun => Volatile.Read(ref _latest)?.PagesRead ?? 0;

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
        JobCoverage? coverage = latest?.Coverage;
        TimeSpan elapsed = _clock.Elapsed;
        IReadOnlyList<SinkProgress> sinks = latest?.Sinks is { Count: > 0 } reported
            ? reported
            : [.. sinkNames.Select(name => new SinkProgress { Name = name })];
        return new RunSnapshot(
            jobId,
            coverage?.TotalDelivered ?? latest?.PagesRead ?? 0,
            coverage?.Status?.Total,
            coverage?.Status?.Status ?? idleStatus,
            (coverage?.BytesReceived ?? 0) / 1_048_576d,
            coverage?.ChunksReceived ?? 0,
            (latest?.PagesRead ?? 0) / Math.Max(elapsed.TotalSeconds, 1e-3),
            elapsed,
            sinks);
    }
}
