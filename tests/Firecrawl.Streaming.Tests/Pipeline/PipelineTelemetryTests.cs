using System.Diagnostics;
using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Tests.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Firecrawl.Streaming.Tests.Pipeline;

/// <summary>The pipeline's log events, spans and instruments: sink retries, flushes and checkpoints.</summary>
public sealed class PipelineTelemetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ToSinksAsync_RetriedWriteAndCheckpoints_LoggedTracedAndMeasured()
    {
        string name = "telemetry-" + Guid.NewGuid().ToString("N");
        var sink = new RecordingSink(name) { OnWrite = (_, call, _) => call == 2 ? throw new IOException("transient") : ValueTask.CompletedTask };
        using var telemetry = new TelemetryRecorder();
        using var flushes = new MetricCollector<double>(telemetry.MeterFactory, FirecrawlStreamingDiagnostics.MeterName, "firecrawl.sink.flush.duration");
        using var retries = new MetricCollector<long>(telemetry.MeterFactory, FirecrawlStreamingDiagnostics.MeterName, "firecrawl.sink.retries");
        var options = new PipelineOptions
        {
            Checkpoint = new InMemoryCheckpointStore(),
            CheckpointInterval = 20,
            LoggerFactory = telemetry.LoggerFactory,
            MeterFactory = telemetry.MeterFactory,
            SinkDefaults = { BatchSize = 10, RetryBaseDelay = TimeSpan.FromMilliseconds(1), MaxBatchDelay = TimeSpan.FromMilliseconds(10) },
        };

        PipelineResult result = await new CountingSource(60).ToSinksAsync([sink], options, Ct);

        Assert.Equal(60, result.PagesDurable);
        var retried = Assert.Single(telemetry.Events(300));
        Assert.Contains($"Sink {name}: write of 10 pages failed", retried.Message, StringComparison.Ordinal);
        Assert.Equal("Firecrawl.Streaming.Pipeline", retried.Category);
        Assert.Contains(telemetry.Events(302), e => e.Message.Contains("60 pages durable", StringComparison.Ordinal));
        Assert.Equal("write", Assert.Single(retries.GetMeasurementSnapshot()).Tags["firecrawl.sink.operation"]);

        Activity[] writes = [.. telemetry.Spans("firecrawl.sink.write").Where(s => (string?)s.GetTagItem("firecrawl.sink.name") == name)];
        Activity[] flushSpans = [.. telemetry.Spans("firecrawl.sink.flush").Where(s => (string?)s.GetTagItem("firecrawl.sink.name") == name)];
        Assert.Equal(6, writes.Length);
        Assert.Equal(sink.Flushes, flushSpans.Length);
        Assert.Equal(sink.Flushes, flushes.GetMeasurementSnapshot().Count);
        Assert.All(flushes.GetMeasurementSnapshot(), m => Assert.Equal(name, m.Tags["firecrawl.sink.name"]));
        Assert.Contains(telemetry.Spans("firecrawl.checkpoint"), s => s.GetTagItem("firecrawl.checkpoint.pages") is 60L);
    }
}
