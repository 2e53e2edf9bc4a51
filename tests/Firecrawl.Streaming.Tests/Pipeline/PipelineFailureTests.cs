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
    public async Task ToSinksAsync_PermanentFailure_ThrowsThatExceptionAndCancelsEverythingElse()
    {
        var boom = new InvalidOperationException("index is read-only");
        var failing = new RecordingSink("failing") { OnWrite = (_, call, _) => call >= 2 ? throw boom : ValueTask.CompletedTask };
        bool otherSawCancellation = false;
        var other = new RecordingSink("other")
        {
            OnWrite = async (_, call, ct) =>
            {
                if (call >= 2)
                {
                    try
                    {
                        await Task.Delay(Timeout.Infinite, ct);
                    }
                    catch (OperationCanceledException)
                    {
                        otherSawCancellation = true;
                        throw;
                    }
                }
            },
        };
        var source = new CountingSource(1000);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => source.ToSinksAsync([failing, other], FastRetries(maxRetries: 2), Ct));

        Assert.Same(boom, thrown);
        Assert.True(otherSawCancellation);
        Assert.True(source.Disposed);
        Assert.True(source.Produced < 1000);
        Assert.Equal(0, failing.Active);
        Assert.Equal(0, other.Active);
        Assert.True(failing.Disposed);
        Assert.True(other.Disposed);
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
    public async Task ToSinksAsync_SourceFails_ThatExceptionSurfacesAndSinksAreDisposed()
    {
        var error = new FirecrawlApiException("stream broke", JobStreamErrorCode.Transport);
        var source = new CountingSource(100) { Failure = (40, error) };
        var sink = new RecordingSink();

        var thrown = await Assert.ThrowsAsync<FirecrawlApiException>(() => source.ToSinksAsync([sink], FastRetries(), Ct));

        Assert.Same(error, thrown);
        Assert.True(sink.Disposed);
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
