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
/// <c>firecrawl.sink.dead_lettered</c> (counters), and <c>firecrawl.sink.queue_depth</c> (observable gauge).
/// </remarks>
internal sealed class PipelineMetrics
{
    public const string MeterName = "Firecrawl.Streaming";
    public const string SinkTag = "firecrawl.sink.name";

    private static readonly Meter s_sharedMeter = new(MeterName, typeof(PipelineMetrics).Assembly.GetName().Version?.ToString());
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
        meter.CreateObservableGauge("firecrawl.sink.queue_depth", ObserveQueueDepth, "{page}", "Pages waiting in a sink's queue.");
    }

    public Counter<long> PagesRead { get; }

    public Counter<long> Checkpoints { get; }

    public Counter<long> PagesWritten { get; }

    public Counter<long> BytesWritten { get; }

    public Counter<long> Retries { get; }

    public Counter<long> DeadLettered { get; }

    /// <summary>The instruments on the shared meter, or on the factory's meter (created once per meter).</summary>
    public static PipelineMetrics For(IMeterFactory? factory)
    {
        Meter meter = factory?.Create(new MeterOptions(MeterName)) ?? s_sharedMeter;
        return s_byMeter.GetValue(meter, static m => new PipelineMetrics(m));
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
