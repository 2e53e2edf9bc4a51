using System.Diagnostics;

namespace Firecrawl.Streaming;

/// <summary>
/// Parallel range fetching for one walk. Once a chunk's <c>next</c> cursor and the job's <c>completed</c> count are
/// known, it requests the chunk at <c>next</c> and further <c>skip</c> ranges after it (up to
/// <see cref="AdaptiveConcurrency.Current"/> chunks ahead, never past <c>completed</c>, so a job still scraping is
/// tailed by polling as before). Each chunk read ahead downloads into its own buffer (at most
/// <see cref="ChunkSession.ReadAheadBytes"/>) and is handed to the walk only when the walk's cursor reaches its
/// <c>skip</c>, so pages still come out strictly in job order, through the same judging, dedupe, gap repair and resume
/// rules as one chunk at a time. A chunk the server cut short (its 10 MiB cap) leaves a gap before the next range: the
/// walk follows that chunk's own cursor, and the chunk it asks for is limited to the gap.
/// </summary>
/// <remarks>
/// Ranges are sized so that one response holds a whole range: the configured <c>limit</c>, lowered to about 90 % of
/// what the server's 10 MiB cap holds at the page size seen so far. Pages that turn out larger only cost a gap-filling
/// request. Held chunks are at most <see cref="FirecrawlJobClientOptions.MaxConcurrency"/> × 16 MiB.
/// </remarks>
internal sealed class RangeScheduler : IAsyncDisposable
{
    /// <summary>The real server stops a response at about this many (UTF-16) units.</summary>
    private const long ServerChunkCap = 10L * 1024 * 1024;

    /// <summary>The largest <c>limit</c> the server accepts.</summary>
    private const int MaxServerLimit = 1000;

    private readonly ApiConnection _api;
    private readonly JobEndpoint _endpoint;
    private readonly string _jobId;
    private readonly JobStreamOptions _streamOptions;
    private readonly SortedList<long, ChunkSession> _held = [];
    private readonly int? _configuredLimit;
    private readonly long _stopAt;
    private volatile bool _limitRefused;
    private long _frontier;
    private long _bytesSeen;
    private long _pagesSeen;
    private int _serverPageSize;

    public RangeScheduler(ApiConnection api, JobEndpoint endpoint, string jobId, JobStreamOptions streamOptions)
    {
        _api = api;
        _endpoint = endpoint;
        _jobId = jobId;
        _streamOptions = streamOptions;
        _configuredLimit = api.Options.ChunkLimit;
        _stopAt = streamOptions.StopAt ?? long.MaxValue;
        Concurrency = new AdaptiveConcurrency(api.Options.MaxConcurrency, api.Options.TimeProvider, api.Options.RetryBaseDelay);
        Pools = StreamPools.For(api);
    }

    public AdaptiveConcurrency Concurrency { get; }

    /// <summary>Gets the client's buffers this walk reuses: body segments and, when pages are pooled, page buffers.</summary>
    public StreamPools Pools { get; }

    /// <summary>Gets the span of the job stream: the parent of every chunk request's span, read ahead or not.</summary>
    public Activity? Parent { get; init; }

    /// <summary>Gets the number of chunks requested ahead of the walk and not yet taken.</summary>
    public int Held => _held.Count;

    /// <summary>Gets the most chunks that were requested ahead of the walk at once.</summary>
    public int PeakHeld { get; private set; }

    /// <summary>
    /// The chunk at <paramref name="skip"/>: the one read ahead there, or a new one (limited to the gap before the next
    /// range read ahead). Chunks read ahead before <paramref name="skip"/> are no longer wanted (the cursor went past them).
    /// </summary>
    public async ValueTask<ChunkSession> TakeAsync(long skip)
    {
        while (_held.Count > 0 && _held.Keys[0] < skip)
        {
            ChunkSession passed = _held.Values[0];
            _held.RemoveAt(0);
            await passed.DisposeAsync().ConfigureAwait(false);
        }

        if (_held.Remove(skip, out ChunkSession? ready))
        {
            return ready;
        }

        int? limit = CutAtStop(skip, LimitAt(skip));
        _frontier = Math.Max(_frontier, skip + (limit ?? 0));
        return new ChunkSession(_api, _endpoint, _jobId, skip, limit, _streamOptions, this) { Parent = Parent };
    }

    /// <summary>
    /// Called when a chunk's <c>next</c> first appears: requests the chunk at <c>next</c> and, when the job's
    /// <c>completed</c> count is known, more ranges after it, up to the current concurrency.
    /// </summary>
    public void Plan(ChunkSession chunk, CancellationToken cancellationToken)
    {
        if (chunk.Envelope.Next is not string link || Concurrency.IsPaused)
        {
            return;
        }

        long next = _endpoint.ParseNext(link, _jobId, chunk.Uri);
        if (next <= chunk.Skip || next >= _stopAt)
        {
            return; // nothing new yet (the next request waits for the poll interval), or the range is all requested
        }

        int current = Concurrency.Current;
        int range = RangeSize(chunk);
        if (!_held.ContainsKey(next) && _held.Count < current)
        {
            int? limit = LimitAt(next);
            Launch(next, CutAtStop(next, range > 0 && limit is int l ? Math.Min(l, range) : limit), cancellationToken);
        }

        if (range <= 0 || chunk.Envelope.Completed is not long completed)
        {
            return;
        }

        long start = Math.Max(_frontier, next);
        long end = Math.Min(completed, _stopAt);
        while (_held.Count < current && start < end && !_held.ContainsKey(start))
        {
            Launch(start, CutAtStop(start, range), cancellationToken);
            start += range;
        }
    }

    /// <summary>Learns from a chunk read to its end: its page size, and (without a configured limit) the server's.</summary>
    public void Finished(ChunkSession chunk)
    {
        if (chunk.PageCount <= 0)
        {
            return;
        }

        _bytesSeen += chunk.BytesReceived;
        _pagesSeen += chunk.PageCount;
        if (chunk.Limit is null && chunk.Envelope.Next is not null)
        {
            _serverPageSize = Math.Max(_serverPageSize, chunk.PageCount);
        }
    }

    /// <summary>A response arrived: the server is not throttling.</summary>
    public void OnResponse(ChunkSession chunk) => Concurrency.Succeeded();

    /// <summary>A 429: fewer chunks in flight, and none new until the server's delay has passed.</summary>
    public void OnThrottled(TimeSpan? retryAfter) => Concurrency.Throttled(retryAfter);

    /// <summary>The server refused <c>limit</c>: every later chunk goes without it, one at a time (ranges need it).</summary>
    public void OnLimitRefused() => _limitRefused = true;

    public async ValueTask DisposeAsync()
    {
        foreach (ChunkSession held in _held.Values)
        {
            await held.DisposeAsync().ConfigureAwait(false);
        }

        _held.Clear();
    }

    private void Launch(long skip, int? limit, CancellationToken cancellationToken)
    {
        var session = new ChunkSession(_api, _endpoint, _jobId, skip, limit, _streamOptions, this) { Parent = Parent };
        session.Prefetch(cancellationToken);
        _held.Add(skip, session);
        PeakHeld = Math.Max(PeakHeld, _held.Count);
        _frontier = Math.Max(_frontier, skip + (limit ?? RangeSizeSeen()));
    }

    /// <summary>The <c>limit</c> for a chunk at <paramref name="skip"/>: the configured one, cut to the gap before the next range held.</summary>
    private int? LimitAt(long skip)
    {
        if (_limitRefused)
        {
            return null;
        }

        foreach (long start in _held.Keys)
        {
            if (start > skip)
            {
                long gap = start - skip;
                return (int)Math.Min(gap, _configuredLimit ?? Math.Min(1000, Math.Max(1, _serverPageSize)));
            }
        }

        return _configuredLimit;
    }

    /// <summary>
    /// Cuts a chunk's <c>limit</c> so that it asks for nothing at or past <see cref="JobStreamOptions.StopAt"/>. A chunk
    /// without a limit keeps none when the server's page size is known to fit; a server that refused <c>limit</c> gets
    /// none (the walk drops what it sends past the stop).
    /// </summary>
    private int? CutAtStop(long skip, int? limit)
    {
        if (_stopAt == long.MaxValue || _limitRefused)
        {
            return limit;
        }

        long room = _stopAt - skip;
        if (limit is int asked)
        {
            return asked <= room ? asked : (int)room;
        }

        // No limit: the server's default page (at most its 1000-document maximum) fits when there is room for it.
        return room >= MaxServerLimit || (_serverPageSize > 0 && _serverPageSize <= room) ? null : (int)room;
    }

    /// <summary>Pages per range: 0 when ranges cannot be fetched (one at a time, or the server refused <c>limit</c>).</summary>
    private int RangeSize(ChunkSession chunk)
    {
        if (_limitRefused || _api.Options.MaxConcurrency <= 1)
        {
            return 0;
        }

        long bytes = _bytesSeen + chunk.BytesReceived;
        long pages = _pagesSeen + chunk.PageCount;
        int limit = _configuredLimit ?? _serverPageSize;
        if (limit <= 0 || pages <= 0)
        {
            return limit;
        }

        long fit = ServerChunkCap * 9 / 10 / Math.Max(1, bytes / pages);
        return (int)Math.Clamp(fit, 1, limit);
    }

    private int RangeSizeSeen() => _configuredLimit ?? _serverPageSize;
}
