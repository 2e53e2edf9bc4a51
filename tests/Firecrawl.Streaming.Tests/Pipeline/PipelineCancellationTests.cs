using System.Diagnostics;
using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;
using static Firecrawl.Streaming.Tests.Pipeline.PipelineTestExtensions;

namespace Firecrawl.Streaming.Tests.Pipeline;

public sealed class PipelineCancellationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ToSinksAsync_CancelledWhileStreaming_ThrowsPromptlyAndDisposesSinks()
    {
        var sink = new RecordingSink { OnWrite = (_, _, ct) => new ValueTask(Task.Delay(5, ct)) };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        Task<PipelineResult> run = AsyncEnumerable2.Endless(cts.Token).ToSinksAsync([sink], new PipelineOptions(), cts.Token);
        await WaitUntilAsync(() => sink.PagesWritten > 0, "pages flow");

        var clock = Stopwatch.StartNew();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.True(clock.ElapsedMilliseconds < 2000, $"Stopping took {clock.ElapsedMilliseconds} ms.");
        Assert.True(sink.Disposed);
        Assert.Equal(0, sink.Active);
    }

    [Fact]
    public async Task ToSinksAsync_CancelledWhileReaderWaitsOnFullQueue_Stops()
    {
        var sink = new RecordingSink { OnWrite = (_, _, ct) => new ValueTask(Task.Delay(Timeout.Infinite, ct)) };
        var source = new CountingSource(1000);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var options = new PipelineOptions { SinkDefaults = { ChannelCapacity = 4, BatchSize = 2, MaxBatchDelay = TimeSpan.Zero } };
        Task<PipelineResult> run = source.ToSinksAsync([sink], options, cts.Token);
        await WaitUntilAsync(() => source.Produced >= 5, "the queue is full");

        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run).WaitAsync(TimeSpan.FromSeconds(2), Ct);
        Assert.True(source.Disposed);
    }

    [Fact]
    public async Task ToSinksAsync_CancelledDuringRetryDelay_DoesNotWaitForTheDelay()
    {
        var sink = new RecordingSink { OnWrite = (_, _, _) => throw new IOException("down") };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var options = new PipelineOptions { SinkDefaults = { MaxRetries = 5, RetryBaseDelay = TimeSpan.FromMinutes(1), MaxRetryDelay = TimeSpan.FromMinutes(5), MaxBatchDelay = TimeSpan.Zero } };
        Task<PipelineResult> run = new CountingSource(10).ToSinksAsync([sink], options, cts.Token);
        await Task.Delay(50, Ct);

        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run).WaitAsync(TimeSpan.FromSeconds(2), Ct);
    }

    [Fact]
    public async Task ToSinksAsync_AlreadyCancelled_ThrowsWithoutWriting()
    {
        var sink = new RecordingSink();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new CountingSource(10).ToSinksAsync([sink], null, new CancellationToken(canceled: true)));

        Assert.Empty(sink.Batches);
        Assert.True(sink.Disposed);
    }

    [Fact]
    public async Task ToSinksAsync_Cancelled_FlushesAndCheckpointsWhatWasWrittenButWritesNoQueuedPage()
    {
        var sink = new RecordingSink { OnWrite = (_, _, ct) => new ValueTask(Task.Delay(5, ct)) };
        var store = new InMemoryCheckpointStore();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var options = new PipelineOptions
        {
            Checkpoint = store,
            CheckpointInterval = 1_000_000,
            CheckpointPeriod = Timeout.InfiniteTimeSpan,
            SinkDefaults = { BatchSize = 5, MaxBatchDelay = TimeSpan.Zero },
        };
        Task<PipelineResult> run = new CountingSource(5000).ToSinksAsync([sink], options, cts.Token);
        await WaitUntilAsync(() => sink.PagesWritten >= 20, "pages are written");

        var clock = Stopwatch.StartNew();
        cts.Cancel();
        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.True(clock.ElapsedMilliseconds < 2000, $"Stopping took {clock.ElapsedMilliseconds} ms.");
        Assert.True(PipelineResult.TryGetPartial(thrown, out PipelineResult? partial));
        Assert.Equal(sink.PagesWritten, partial.PagesDurable);
        Assert.True(partial.PagesRead > sink.PagesWritten, "queued pages were written after the cancellation");
        Assert.Equal(sink.PagesWritten - 1, sink.FlushedThrough);
        Assert.Equal(sink.FlushedThrough, PositionOf(store.ResumeToken));
    }

    [Fact]
    public async Task ToSinksAsync_CancelledAndTheFlushHangs_GivesUpAfterCancellationFlushTimeout()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var sink = new RecordingSink
        {
            OnWrite = (_, _, ct) => new ValueTask(Task.Delay(2, ct)),
            OnFlush = (_, ct) => cts.IsCancellationRequested ? new ValueTask(Task.Delay(Timeout.Infinite, ct)) : ValueTask.CompletedTask,
        };
        var store = new InMemoryCheckpointStore();
        var options = new PipelineOptions
        {
            Checkpoint = store,
            CheckpointInterval = 1_000_000,
            CancellationFlushTimeout = TimeSpan.FromMilliseconds(200),
            SinkDefaults = { BatchSize = 5, MaxBatchDelay = TimeSpan.Zero },
        };
        Task<PipelineResult> run = new CountingSource(5000).ToSinksAsync([sink], options, cts.Token);
        await WaitUntilAsync(() => sink.PagesWritten >= 10, "pages are written");

        var clock = Stopwatch.StartNew();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.InRange(clock.ElapsedMilliseconds, 150, 3000);
        Assert.Null(store.ResumeToken);
        Assert.True(sink.Disposed);
    }

    [Fact]
    public async Task ToSinksAsync_CancelledWithZeroFlushTimeout_DoesNotFlush()
    {
        var sink = new RecordingSink { OnWrite = (_, _, ct) => new ValueTask(Task.Delay(2, ct)) };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var options = new PipelineOptions
        {
            CheckpointInterval = 1_000_000,
            CheckpointPeriod = Timeout.InfiniteTimeSpan,
            CancellationFlushTimeout = TimeSpan.Zero,
            SinkDefaults = { BatchSize = 5, MaxBatchDelay = TimeSpan.Zero },
        };
        Task<PipelineResult> run = new CountingSource(5000).ToSinksAsync([sink], options, cts.Token);
        await WaitUntilAsync(() => sink.PagesWritten >= 10, "pages are written");

        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.Equal(0, sink.Flushes);
    }
}
