using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Firecrawl.Streaming.Pipeline;

/// <summary>
/// The pipeline's instruments on the <c>"Firecrawl.Streaming"</c> meter. Per-sink measurements carry the tag
/// <c>firecrawl.sink.name</c>.
/// </summary>
/// <remarks>
/// Instruments: <c>firecrawl.pipeline.pages_read</c> (counter), <c>firecrawl.pipeline.checkpoints</c> (counter),
/// <c>firecrawl.sink.pages_written</c>, <c>firecrawl.sink.bytes_written</c>, <c>firecrawl.sink.retries</c>,
/// <c>firecrawl.sink.dead_lettered</c> (counters; retries carry <c>firecrawl.sink.operation</c>, <c>write</c> or <c>flush</c>),
/// <c>firecrawl.sink.queue_depth</c> (observable up-down counter), and <c>firecrawl.sink.flush.duration</c> (histogram, s).
/// </remarks>
internal sealed class PipelineMetrics
{
    public const string SinkTag = "firecrawl.sink.name";
    public const string OperationTag = "firecrawl.sink.operation";
    private static readonly ConditionalWeakTable<Meter, PipelineMetrics> s_byMeter = [];

    // Runners of every live run on this meter; the queue-depth gauge reads them when a listener asks.
    private readonly ConcurrentDictionary<SinkRunner, byte> _runners = new();

    private PipelineMetrics(Meter meter)
    {
        PagesRead = meter.CreateCounter<long>("firecrawl.pipeline.pages_read", "{page}", "Pages read from the source.");
        Checkpoints = meter.CreateCounter<long>("firecrawl.pipeline.checkpoints", "{checkpoint}", "Checkpoints stored.");
        PagesWritten = meter.CreateCounter<long>("firecrawl.sink.pages_written", "{page}", "Pages a sink accepted.");
        BytesWritten = meter.CreateCounter<long>("firecrawl.sink.bytes_written", "By", "Page bytes a sink accepted.");
        Retries = meter.CreateCounter<long>("firecrawl.sink.retries", "{retry}", "Sink writes and flushes tried again after a failure.");
        DeadLettered = meter.CreateCounter<long>("firecrawl.sink.dead_lettered", "{page}", "Pages a sink set aside in its dead-letter file.");
        FlushDuration = meter.CreateHistogram<double>(
            "firecrawl.sink.flush.duration", "s", "Time a sink took to flush (to make what it was given durable).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

        // A count that goes up and down, read when a listener asks: OpenTelemetry's up-down counter, not a gauge.
        meter.CreateObservableUpDownCounter("firecrawl.sink.queue_depth", ObserveQueueDepth, "{page}", "Pages waiting in a sink's queue.");
    }

    public Counter<long> PagesRead { get; }

    public Counter<long> Checkpoints { get; }

    public Counter<long> PagesWritten { get; }

    public Counter<long> BytesWritten { get; }

    public Counter<long> Retries { get; }

    public Counter<long> DeadLettered { get; }

    public Histogram<double> FlushDuration { get; }

    /// <summary>The instruments on the shared meter, or on the factory's meter (created once per meter).</summary>
    public static PipelineMetrics For(IMeterFactory? factory)
    {
        return s_byMeter.GetValue(FirecrawlStreamingDiagnostics.MeterFor(factory), static m => new PipelineMetrics(m));
    }

    public void Register(SinkRunner runner) => _runners.TryAdd(runner, 0);

    public void Unregister(SinkRunner runner) => _runners.TryRemove(runner, out _);

    private IEnumerable<Measurement<int>> ObserveQueueDepth()
    {
        foreach (SinkRunner runner in _runners.Keys)
        {
            yield return new Measurement<int>(runner.QueueDepth, runner.Tag);
        }
    }
}
