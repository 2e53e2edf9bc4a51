using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;

namespace Firecrawl.Streaming.Tests.Pipeline;

public sealed class PipelineFailureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static PipelineOptions FastRetries(int maxRetries = 3) => new()
    {
        SinkDefaults = { BatchSize = 10, MaxRetries = maxRetries, RetryBaseDelay = TimeSpan.FromMilliseconds(1), MaxBatchDelay = TimeSpan.FromMilliseconds(10) },
    };

    [Fact]
    public async Task ToSinksAsync_TransientWriteFailure_RetriedAndEveryPageWrittenOnce()
    {
        int failures = 0;
        var sink = new RecordingSink
        {
            OnWrite = (_, call, _) => call is 2 or 3 && Interlocked.Increment(ref failures) > 0
                ? throw new IOException("transient")
                : ValueTask.CompletedTask,
        };

        PipelineResult result = await new CountingSource(50).ToSinksAsync([sink], FastRetries(), Ct);

        Assert.Equal(2, failures);
        Assert.Equal(2, result.Sinks[0].Retries);
        Assert.Equal(50, result.Sinks[0].PagesWritten);
        Assert.Equal(50, sink.Keys.Count);
    }

    [Fact]
    public async Task ToSinksAsync_TransientFlushFailure_Retried()
    {
        var sink = new RecordingSink { OnFlush = (n, _) => n == 1 ? throw new IOException("disk busy") : ValueTask.CompletedTask };

        PipelineResult result = await new CountingSource(20).ToSinksAsync([sink], FastRetries(), Ct);

        Assert.Equal(1, result.Sinks[0].Retries);
        Assert.NotNull(result.LastCheckpoint);
    }

    [Fact]
    public async Task ToSinksAsync_PermanentFailure_ThrowsThatExceptionAfterTheOtherSinkIsDrainedAndStopsReading()
    {
        var boom = new InvalidOperationException("index is read-only");
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failing = new RecordingSink("failing")
        {
            OnWrite = (_, call, _) =>
            {
                if (call >= 2)
                {
                    failed.TrySetResult();
                    throw boom;
                }

                return ValueTask.CompletedTask;
            },
        };
        var other = new RecordingSink("other") { OnWrite = (_, _, ct) => new ValueTask(Task.Delay(2, ct)) };

        // The source holds page 50 back until the failure, then waits to be stopped: reading must stop by itself.
        var source = new CountingSource(1000)
        {
            BeforePage = async (i, ct) =>
            {
                if (i == 50)
                {
                    await failed.Task.WaitAsync(ct);
                    await Task.Delay(Timeout.Infinite, ct);
                }
            },
        };
        var store = new InMemoryCheckpointStore();
        PipelineOptions options = FastRetries(maxRetries: 2);
        options.Checkpoint = store;

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => source.ToSinksAsync([failing, other], options, Ct));

        Assert.Same(boom, thrown);
        Assert.True(source.Disposed);
        Assert.Equal(50, source.Produced);
        Assert.Equal(50, other.Keys.Count);
        Assert.Equal(49, other.FlushedThrough);
        Assert.Equal(0, failing.Active);
        Assert.Equal(0, other.Active);
        Assert.True(failing.Disposed);
        Assert.True(other.Disposed);

        // The checkpoint stops where the failed sink is durable: its first batch, flushed once after the failure.
        Assert.True(PipelineResult.TryGetPartial(thrown, out PipelineResult? partial));
        Assert.Same(boom, partial.Sinks[0].Error);
        Assert.Null(partial.Sinks[1].Error);
        Assert.Equal(10, partial.Sinks[0].PagesDurable);
        Assert.Equal(50, partial.Sinks[1].PagesDurable);
        Assert.Equal(10, partial.PagesDurable);
        Assert.Equal(9, PipelineTestExtensions.PositionOf(store.ResumeToken));
        Assert.Equal(partial.LastCheckpoint, PipelineCheckpoint.Parse(store.ResumeToken!).ResumeAfter);
    }

    [Fact]
    public async Task ToSinksAsync_PermanentFailureWithParallelWrites_NoWriteLeftRunning()
    {
        var boom = new IOException("gone");
        var sink = new RecordingSink
        {
            OnWrite = async (_, call, ct) =>
            {
                await Task.Delay(call == 3 ? 1 : 40, ct);
                if (call == 3)
                {
                    throw boom;
                }
            },
        };
        var options = FastRetries(maxRetries: 0);
        options.SinkDefaults.MaxDegreeOfParallelism = 4;

        var thrown = await Assert.ThrowsAsync<IOException>(() => new CountingSource(500).ToSinksAsync([sink], options, Ct));

        Assert.Same(boom, thrown);
        Assert.Equal(0, sink.Active);
        Assert.True(sink.Disposed);
    }

    [Fact]
    public async Task ToSinksAsync_ShouldRetryRejects_FailsWithoutRetrying()
    {
        var sink = new RecordingSink { OnWrite = (_, _, _) => throw new UnauthorizedAccessException("denied") };
        PipelineOptions options = FastRetries();
        options.SinkDefaults.ShouldRetry = e => e is not UnauthorizedAccessException;

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => new CountingSource(5).ToSinksAsync([sink], options, Ct));
        Assert.Empty(sink.Batches);
    }

    [Fact]
    public async Task ToSinksAsync_SourceFails_EveryPageReadIsWrittenFlushedAndCheckpointedThenThatExceptionSurfaces()
    {
        var error = new FirecrawlApiException("stream broke", JobStreamErrorCode.Transport);
        var source = new CountingSource(100) { Failure = (40, error) };

        // Slow sinks with small queues: when the source fails, pages are still queued and in flight.
        var first = new RecordingSink("first") { OnWrite = (_, _, ct) => new ValueTask(Task.Delay(5, ct)) };
        var second = new RecordingSink("second") { OnWrite = (_, _, ct) => new ValueTask(Task.Delay(3, ct)) };
        var store = new InMemoryCheckpointStore();
        PipelineOptions options = FastRetries();
        options.Checkpoint = store;
        options.CheckpointInterval = 1000;
        options.SinkDefaults.ChannelCapacity = 8;
        options.SinkDefaults.BatchSize = 3;

        var thrown = await Assert.ThrowsAsync<FirecrawlApiException>(() => source.ToSinksAsync([first, second], options, Ct));

        Assert.Same(error, thrown);
        Assert.Equal(40, first.Keys.Count);
        Assert.Equal(40, second.Keys.Count);
        Assert.Equal(39, first.FlushedThrough);
        Assert.Equal(39, second.FlushedThrough);
        Assert.Equal(39, PipelineTestExtensions.PositionOf(store.ResumeToken));
        Assert.True(PipelineResult.TryGetPartial(thrown, out PipelineResult? partial));
        Assert.Equal(40, partial.PagesRead);
        Assert.Equal(40, partial.PagesDurable);
        Assert.True(first.Disposed);
        Assert.True(second.Disposed);
    }

    [Fact]
    public async Task ToSinksAsync_RetriesExhausted_WritesAttemptedMaxRetriesPlusOneTimes()
    {
        int attempts = 0;
        var sink = new RecordingSink { OnWrite = (_, _, _) => Interlocked.Increment(ref attempts) > 0 ? throw new IOException("down") : ValueTask.CompletedTask };

        await Assert.ThrowsAsync<IOException>(() => new CountingSource(3).ToSinksAsync([sink], FastRetries(maxRetries: 4), Ct));

        Assert.Equal(5, attempts);
    }
}
