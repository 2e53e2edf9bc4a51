namespace Firecrawl.Streaming;

/// <summary>
/// The one retry schedule of the library, shared by HTTP requests and sink writes: counts failures and gives the
/// delay before the next attempt, exponential from a base delay with ±20 % jitter (so that many clients, or several
/// sinks on one backend, do not retry in step), capped, and honouring a delay the other side asked for.
/// </summary>
internal struct Backoff(int maxRetries, TimeSpan baseDelay, TimeSpan maxDelay)
{
    // Far beyond any sensible wait, and small enough that no arithmetic on it overflows.
    private static readonly TimeSpan s_longestAsked = TimeSpan.FromDays(1);

    private int _failures;

    /// <summary>Gets the number of failures counted since the last <see cref="Reset"/>.</summary>
    public readonly int Failures => _failures;

    /// <summary>Forgets past failures after a success.</summary>
    public void Reset() => _failures = 0;

    /// <summary>Counts a failure; false when the retries have run out.</summary>
    /// <param name="asked">A delay the server asked for (<c>Retry-After</c>), used instead of the schedule, capped.</param>
    /// <param name="delay">The delay before the next attempt.</param>
    public bool TryNext(TimeSpan? asked, out TimeSpan delay)
    {
        delay = default;
        if (_failures >= maxRetries)
        {
            _failures++;
            return false;
        }

        _failures++;
        if (asked is TimeSpan wanted)
        {
            delay = Min(Clamp(wanted), maxDelay);
            return true;
        }

        double baseMs = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(_failures - 1, 30));
        double jittered = baseMs * (0.8 + (Random.Shared.NextDouble() * 0.4));
        delay = TimeSpan.FromMilliseconds(Math.Min(jittered, maxDelay.TotalMilliseconds));
        return true;
    }

    /// <summary>A server's delay made safe to compute with: never negative, never beyond a day.</summary>
    public static TimeSpan Clamp(TimeSpan asked) => asked < TimeSpan.Zero ? TimeSpan.Zero : Min(asked, s_longestAsked);

    /// <summary>Seconds as a server wrote them, made a safe delay however large.</summary>
    public static TimeSpan FromSeconds(double seconds) =>
        double.IsFinite(seconds) && seconds < s_longestAsked.TotalSeconds ? Clamp(TimeSpan.FromSeconds(seconds)) : s_longestAsked;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
