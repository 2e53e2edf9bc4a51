using Firecrawl.Streaming.Pipeline;

namespace Firecrawl.Streaming.Tests.Pipeline;

public sealed class SinkRetryTests
{
    [Fact]
    public void ShouldRetry_SuccessiveFailures_DelaysDoubleWithinJitterAndStopAtMaxRetries()
    {
        var backoff = new SinkRetry(new SinkOptions { MaxRetries = 4, RetryBaseDelay = TimeSpan.FromMilliseconds(100), MaxRetryDelay = TimeSpan.FromSeconds(10) });
        var error = new IOException();

        for (int attempt = 0; attempt < 4; attempt++)
        {
            Assert.True(backoff.ShouldRetry(error, CancellationToken.None, out TimeSpan delay));
            double expected = 100 * Math.Pow(2, attempt);
            Assert.InRange(delay.TotalMilliseconds, expected * 0.8, expected * 1.2);
        }

        Assert.False(backoff.ShouldRetry(error, CancellationToken.None, out _));
    }

    [Fact]
    public void ShouldRetry_LongBackoff_CappedAtMaxRetryDelay()
    {
        var backoff = new SinkRetry(new SinkOptions { MaxRetries = 40, RetryBaseDelay = TimeSpan.FromSeconds(1), MaxRetryDelay = TimeSpan.FromSeconds(3) });
        TimeSpan delay = default;
        for (int i = 0; i < 40; i++)
        {
            Assert.True(backoff.ShouldRetry(new IOException(), CancellationToken.None, out delay));
            Assert.True(delay <= TimeSpan.FromSeconds(3));
        }

        Assert.Equal(TimeSpan.FromSeconds(3), delay);
    }

    [Fact]
    public void ShouldRetry_RunCancelled_DoesNotRetry()
    {
        var backoff = new SinkRetry(new SinkOptions());
        Assert.False(backoff.ShouldRetry(new OperationCanceledException(), new CancellationToken(canceled: true), out _));
    }
}
