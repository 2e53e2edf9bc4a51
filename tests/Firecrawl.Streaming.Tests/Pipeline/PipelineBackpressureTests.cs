using Firecrawl.Streaming.Pipeline;
using static Firecrawl.Streaming.Tests.Pipeline.PipelineTestExtensions;

namespace Firecrawl.Streaming.Tests.Pipeline;

public sealed class PipelineBackpressureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ToSinksAsync_SlowSink_BoundsPagesInFlight()
    {
        const int Capacity = 16, BatchSize = 4;
        var source = new CountingSource(400);
        var slow = new RecordingSink("slow");
        var fast = new RecordingSink("fast");
        int maxInFlight = 0;
        slow.OnWrite = async (pages, _, ct) =>
        {
            // In flight: produced by the source and not yet written by the slow sink (this batch included).
            maxInFlight = Math.Max(maxInFlight, source.Produced - slow.PagesWritten);
            await Task.Delay(1, ct);
        };
        var options = new PipelineOptions { SinkDefaults = { ChannelCapacity = Capacity, BatchSize = BatchSize, MaxBatchDelay = TimeSpan.FromMilliseconds(5) } };

        PipelineResult result = await source.ToSinksAsync([slow, fast], options, Ct);

        Assert.Equal(400, result.PagesRead);
        Assert.Equal(400, slow.PagesWritten);
        Assert.Equal(400, fast.PagesWritten);
        Assert.InRange(maxInFlight, BatchSize, (Capacity * 2) + BatchSize);

        // The exact bound: the slow sink's queue, the batch it is writing, and the page the reader holds.
        Assert.True(maxInFlight <= Capacity + BatchSize + 1, $"{maxInFlight} pages were in flight.");
    }

    [Fact]
    public async Task ToSinksAsync_SlowSinkBlocked_FastSinkReceivesAllThatWasRead()
    {
        const int Capacity = 8, BatchSize = 2;
        var source = new CountingSource(200);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new RecordingSink("slow") { OnWrite = (_, _, ct) => new ValueTask(gate.Task.WaitAsync(ct)) };
        var fast = new RecordingSink("fast");
        var options = new PipelineOptions { SinkDefaults = { ChannelCapacity = Capacity, BatchSize = BatchSize, MaxBatchDelay = TimeSpan.Zero } };

        Task<PipelineResult> run = source.ToSinksAsync([slow, fast], options, Ct);

        // The reader fills the blocked sink's queue and stops; the fast sink must still get every page read.
        await WaitUntilAsync(() => fast.PagesWritten > 0 && fast.PagesWritten == source.Produced, "the fast sink caught up with the reader");
        await Task.Delay(50, Ct);
        Assert.Equal(source.Produced, fast.PagesWritten);
        Assert.InRange(source.Produced, Capacity, Capacity + BatchSize + 1);
        Assert.False(run.IsCompleted);

        gate.SetResult();
        await run;
        Assert.Equal(200, fast.PagesWritten);
        Assert.Equal(200, slow.PagesWritten);
    }

    [Fact]
    public async Task ToSinksAsync_QueueFull_ReaderWaitsInsteadOfDropping()
    {
        var source = new CountingSource(100);
        var sink = new RecordingSink { OnWrite = (_, _, ct) => new ValueTask(Task.Delay(2, ct)) };
        var options = new PipelineOptions { SinkDefaults = { ChannelCapacity = 1, BatchSize = 1, MaxBatchDelay = TimeSpan.Zero } };

        await source.ToSinksAsync([sink], options, Ct);

        Assert.Equal(source.Pages.Select(p => p.Key), sink.Batches.SelectMany(b => b).Select(p => p.Key));
    }
}
