using System.Globalization;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Firecrawl.Streaming;

/// <summary>
/// Counts the attempts at one request and decides whether a failure is worth another: 429 (after the
/// server's delay), 408, 5xx, dropped connections and stalled bodies are; other 4xx and bad bodies are not.
/// </summary>
internal sealed partial class RetryState(FirecrawlClientOptions options)
{
    private int _failures;

    /// <summary>Gets the number of failures since the last success.</summary>
    public int Failures => _failures;

    /// <summary>Forgets past failures after a request succeeded.</summary>
    public void Reset() => _failures = 0;

    /// <summary>
    /// Whether a failure is worth another attempt at all (before counting attempts): call it in a
    /// <c>catch ... when</c> filter, then <see cref="NextDelay"/> in the handler.
    /// </summary>
    public static bool CanRetry(Exception error, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && IsTransient(error);

    /// <summary>
    /// Counts a transient failure and returns the delay before the next attempt, or null when the retries
    /// have run out and the caller should rethrow a <see cref="FirecrawlException"/> as it is. Any other
    /// error whose retries ran out is thrown here, wrapped in a <see cref="FirecrawlException"/> that says so.
    /// </summary>
    public TimeSpan? NextDelay(Exception error, Uri uri)
    {
        _failures++;
        if (_failures > options.MaxRetries)
        {
            if (error is FirecrawlException)
            {
                return null;
            }

            throw new FirecrawlException(
                $"The request to {uri} failed after {options.MaxRetries} retries: {error.Message}",
                FirecrawlErrorCode.Transport,
                error)
            { RequestUri = uri };
        }

        return error is FirecrawlException { RetryAfter: TimeSpan asked } ? Min(asked, options.MaxRetryDelay) : Backoff(_failures);
    }

    private static bool IsTransient(Exception error) => error switch
    {
        FirecrawlException e => e.ErrorCode == FirecrawlErrorCode.HttpError && (e.Status is 408 or 429 || e.Status >= 500),
        HttpRequestException or IOException or TimeoutException => true,
        OperationCanceledException => true, // HttpClient.Timeout; the caller's own cancellation was excluded above
        _ => false,
    };

    /// <summary>Exponential backoff with ±25 % jitter, so that many clients do not retry in step.</summary>
    private TimeSpan Backoff(int failure)
    {
        double baseMs = options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failure - 1, 30));
        double jittered = baseMs * (0.75 + (Random.Shared.NextDouble() * 0.5));
        return Min(TimeSpan.FromMilliseconds(jittered), options.MaxRetryDelay);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>The delay a 429 asks for: the <c>Retry-After</c> header, else "retry after 12s" in the message.</summary>
    public static TimeSpan? ParseRetryAfter(RetryConditionHeaderValue? header, string? message, TimeProvider time)
    {
        if (header?.Delta is TimeSpan delta)
        {
            return delta;
        }

        if (header?.Date is DateTimeOffset date)
        {
            TimeSpan wait = date - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        if (message is not null && RetryAfterInMessage().Match(message) is { Success: true } match
            && double.TryParse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return null;
    }

    [GeneratedRegex(@"retry after (\d+(?:\.\d+)?)\s*s", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RetryAfterInMessage();
}
