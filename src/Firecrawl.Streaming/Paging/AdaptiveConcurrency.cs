namespace Firecrawl.Streaming;

/// <summary>
/// How many chunks a stream may fetch ahead of the one it is reading: starts at the configured maximum, halves on a
/// 429 (and nothing new is requested until the delay the server named, or <see cref="FirecrawlJobClientOptions.RetryBaseDelay"/>,
/// has passed), and grows back by one after every <see cref="GrowAfter"/> successful responses in a row, never above
/// the maximum. Thread-safe: read-ahead requests report from their own tasks.
/// </summary>
internal sealed class AdaptiveConcurrency(int maximum, TimeProvider time, TimeSpan defaultPause)
{
    /// <summary>Successful responses in a row before one more chunk may be in flight (slow growth: a 429 costs a halving).</summary>
    public const int GrowAfter = 4;

    private readonly Lock _gate = new();
    private readonly int _maximum = maximum;
    private int _current = maximum;
    private int _successes;
    private long _pausedUntil;

    /// <summary>Gets how many chunks may be in flight ahead of the reader now (1 to the maximum).</summary>
    public int Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Gets the number of times a 429 lowered the concurrency.</summary>
    public int Throttles { get; private set; }

    /// <summary>Gets the lowest concurrency so far.</summary>
    public int Lowest { get; private set; } = maximum;

    /// <summary>Gets a value indicating whether nothing new should be requested yet (a 429's delay has not passed).</summary>
    public bool IsPaused
    {
        get
        {
            lock (_gate)
            {
                return time.GetTimestamp() < _pausedUntil;
            }
        }
    }

    /// <summary>A 429: halve, and pause new requests for the delay the server asked for.</summary>
    public void Throttled(TimeSpan? retryAfter)
    {
        lock (_gate)
        {
            _current = Math.Max(1, _current / 2);
            Lowest = Math.Min(Lowest, _current);
            _successes = 0;
            Throttles++;
            TimeSpan pause = retryAfter ?? defaultPause;
            _pausedUntil = Math.Max(_pausedUntil, time.GetTimestamp() + (long)(pause.TotalSeconds * time.TimestampFrequency));
        }
    }

    /// <summary>A successful response: after <see cref="GrowAfter"/> in a row, one more may be in flight.</summary>
    public void Succeeded()
    {
        lock (_gate)
        {
            if (_current < _maximum && ++_successes >= GrowAfter)
            {
                _current++;
                _successes = 0;
            }
        }
    }
}
