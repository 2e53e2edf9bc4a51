namespace Firecrawl.Streaming.Pipeline;

/// <summary>
/// The retry state of one sink operation: how many attempts failed, and how long to wait before the next
/// (exponential, with jitter so that several sinks hitting one backend do not retry in step).
/// </summary>
internal struct RetryBackoff(SinkOptions options)
{
    private int _failures;

    /// <summary>Whether to try again after <paramref name="error"/>, and after what delay.</summary>
    public bool ShouldRetry(Exception error, CancellationToken cancellationToken, out TimeSpan delay)
    {
        delay = default;
        if (cancellationToken.IsCancellationRequested || _failures >= options.MaxRetries
            || (options.ShouldRetry is { } predicate && !predicate(error)))
        {
            return false;
        }

        _failures++;
        double baseMs = options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(_failures - 1, 30));
        double jittered = baseMs * (0.8 + (Random.Shared.NextDouble() * 0.4));
        delay = TimeSpan.FromMilliseconds(Math.Min(jittered, options.MaxRetryDelay.TotalMilliseconds));
        return true;
    }
}
