using System.Diagnostics.Metrics;
using Firecrawl.Streaming.Pipeline;
using static Firecrawl.Streaming.Tests.Pipeline.PipelineTestExtensions;

namespace Firecrawl.Streaming.Tests.Pipeline;

public sealed class PipelineProgressTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ToSinksAsync_WithProgress_ReportsPeriodicallyAndAFinalSnapshot()
    {
        var progress = new SyncProgress<PipelineProgress>();
        var source = new CountingSource(60) { BeforePage = (_, ct) => new ValueTask(Task.Delay(2, ct)) };
        var a = new RecordingSink("a");
        var b = new RecordingSink("b");
        var options = new PipelineOptions { Progress = progress, ProgressInterval = TimeSpan.FromMilliseconds(20), SinkDefaults = { BatchSize = 5 } };

        PipelineResult result = await source.ToSinksAsync([a, b], options, Ct);

        IReadOnlyList<PipelineProgress> reports = progress.Reports;
        Assert.True(reports.Count >= 2, $"{reports.Count} reports");
        PipelineProgress last = reports[^1];
        Assert.True(last.IsFinal);
        Assert.Equal(60, last.PagesRead);
        Assert.Equal(source.Pages.Sum(p => (long)p.Utf8Length), last.BytesRead);
        Assert.Equal(["a", "b"], last.Sinks.Select(s => s.Name));
        Assert.All(last.Sinks, s =>
        {
            Assert.Equal(60, s.PagesWritten);
            Assert.Equal(60, s.PagesDurable);
            Assert.Equal(last.BytesRead, s.BytesWritten);
            Assert.Equal(0, s.QueueDepth);
            Assert.True(s.PagesPerSecond > 0);
        });
        Assert.Equal(result.LastCheckpoint, last.LastCheckpoint);

        // Earlier snapshots never run ahead of later ones.
        Assert.True(reports.Zip(reports.Skip(1)).All(pair => pair.First.PagesRead <= pair.Second.PagesRead));
    }

    [Fact]
    public async Task ToSinksAsync_Meter_CountsPagesAndBytesPerSinkAndObservesQueueDepth()
    {
        using var factory = new TestMeterFactory();
        using var listener = new MeterListener();
        var longs = new Dictionary<(string Instrument, string? Sink), long>();
        var depths = new List<(string? Sink, int Depth)>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (longs)
            {
                string? sink = SinkOf(tags);
                longs[(instrument.Name, sink)] = longs.GetValueOrDefault((instrument.Name, sink)) + value;
            }
        });
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
        {
            lock (depths)
            {
                depths.Add((SinkOf(tags), value));
            }
        });
        listener.Start();

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new RecordingSink("slow") { OnWrite = (_, _, ct) => new ValueTask(gate.Task.WaitAsync(ct)) };
        var fast = new RecordingSink("fast");
        var source = new CountingSource(40);
        var options = new PipelineOptions { MeterFactory = factory, SinkDefaults = { ChannelCapacity = 10, BatchSize = 5, MaxBatchDelay = TimeSpan.Zero } };
        Task<PipelineResult> run = source.ToSinksAsync([slow, fast], options, Ct);
        await WaitUntilAsync(() => source.Produced >= 11, "the slow sink's queue fills");
        await Task.Delay(50, Ct);
        listener.RecordObservableInstruments();
        gate.SetResult();
        await run;

        long bytes = source.Pages.Sum(p => (long)p.Utf8Length);
        Assert.Equal(40, longs[("firecrawl.pipeline.pages_read", null)]);
        Assert.Equal(40, longs[("firecrawl.sink.pages_written", "slow")]);
        Assert.Equal(40, longs[("firecrawl.sink.pages_written", "fast")]);
        Assert.Equal(bytes, longs[("firecrawl.sink.bytes_written", "fast")]);
        Assert.Contains(depths, d => d.Sink == "slow" && d.Depth == 10);
    }

    private static string? SinkOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == "firecrawl.sink.name")
            {
                return (string?)tag.Value;
            }
        }

        return null;
    }
}
