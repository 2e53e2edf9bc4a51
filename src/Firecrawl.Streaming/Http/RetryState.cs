using System.Globalization;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Firecrawl.Streaming;

/// <summary>
/// Counts the attempts at one request and decides whether a failure is worth another: 429 (after the
/// server's delay), 408, 5xx, dropped connections and stalled bodies are; other 4xx and bad bodies are not.
/// </summary>
internal sealed partial class RetryState(FirecrawlJobClientOptions options)
{
    private Backoff _backoff = new(options.MaxRetries, options.RetryBaseDelay, options.MaxRetryDelay);

    /// <summary>Gets the number of failures since the last success.</summary>
    public int Failures => _backoff.Failures;

    /// <summary>Forgets past failures after a request succeeded.</summary>
    public void Reset() => _backoff.Reset();

    /// <summary>
    /// Whether a failure is worth another attempt at all (before counting attempts): call it in a
    /// <c>catch ... when</c> filter, then <see cref="NextDelay"/> in the handler.
    /// </summary>
    public static bool CanRetry(Exception error, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && IsTransient(error);

    /// <summary>
    /// Counts a transient failure and returns the delay before the next attempt, or null when the retries
    /// have run out and the caller should rethrow a <see cref="FirecrawlApiException"/> as it is. Any other
    /// error whose retries ran out is thrown here, wrapped in a <see cref="FirecrawlApiException"/> that says so.
    /// </summary>
    public TimeSpan? NextDelay(Exception error, Uri uri, string? jobId)
    {
        TimeSpan? asked = error is FirecrawlApiException { RetryAfter: TimeSpan wanted } ? wanted : null;
        if (!_backoff.TryNext(asked, out TimeSpan delay))
        {
            Log.RetriesExhausted(options.HttpLogger, ApiConnection.Quote(uri), options.MaxRetries, error.Message);
            if (error is FirecrawlApiException)
            {
                return null;
            }

            throw new FirecrawlApiException(
                $"The request to {uri} failed after {options.MaxRetries} retries: {error.Message}",
                JobStreamErrorCode.Transport,
                error)
            { RequestUri = uri, JobId = jobId };
        }

        string reason = ClientMetrics.ReasonOf(error);
        options.Metrics?.RecordRetry(reason);
        if (reason == "rate_limited")
        {
            Log.RateLimited(options.HttpLogger, ApiConnection.Quote(uri), delay.TotalMilliseconds, _backoff.Failures, options.MaxRetries);
        }
        else
        {
            Log.RequestRetrying(options.HttpLogger, ApiConnection.Quote(uri), delay.TotalMilliseconds, _backoff.Failures, options.MaxRetries, reason, error.Message);
        }

        return delay;
    }

    private static bool IsTransient(Exception error) => error switch
    {
        FirecrawlApiException e => e.ErrorCode == JobStreamErrorCode.HttpError && (e.Status is 408 or 429 || e.Status >= 500),
        HttpRequestException or IOException or TimeoutException => true,
        OperationCanceledException => true, // HttpClient.Timeout; the caller's own cancellation was excluded above
        _ => false,
    };

    /// <summary>The delay a 429 asks for: the <c>Retry-After</c> header, else "retry after 12s" in the message.</summary>
    public static TimeSpan? ParseRetryAfter(RetryConditionHeaderValue? header, string? message, TimeProvider time)
    {
        if (header?.Delta is TimeSpan delta)
        {
            return Backoff.Clamp(delta);
        }

        if (header?.Date is DateTimeOffset date)
        {
            return Backoff.Clamp(date - time.GetUtcNow());
        }

        if (message is not null && RetryAfterInMessage().Match(message) is { Success: true } match
            && double.TryParse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
        {
            return Backoff.FromSeconds(seconds);
        }

        return null;
    }

    [GeneratedRegex(@"retry after (\d+(?:\.\d+)?)\s*s", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RetryAfterInMessage();
}
