namespace Firecrawl.Streaming.Pipeline;

/// <summary>The retry state of one sink operation: the shared <see cref="Backoff"/> schedule, filtered by <see cref="SinkOptions.ShouldRetry"/>.</summary>
internal struct SinkRetry(SinkOptions options)
{
    private Backoff _backoff = new(options.MaxRetries, options.RetryBaseDelay, options.MaxRetryDelay);

    /// <summary>Whether to try again after <paramref name="error"/>, and after what delay.</summary>
    public bool ShouldRetry(Exception error, CancellationToken cancellationToken, out TimeSpan delay)
    {
        delay = default;
        return !cancellationToken.IsCancellationRequested
            && (options.ShouldRetry is not { } predicate || predicate(error))
            && _backoff.TryNext(asked: null, out delay);
    }
}
