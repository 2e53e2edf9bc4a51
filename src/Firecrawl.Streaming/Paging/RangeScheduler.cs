using System.Diagnostics;

namespace Firecrawl.Streaming;

/// <summary>
/// Parallel range fetching for one walk. Once the job's <c>completed</c> count is known (with the chunk being read's
/// <c>next</c>, or before it, from the range the chunk asked for: key order is not guaranteed), it requests the chunk at
/// <c>next</c> and further <c>skip</c> ranges after it, never past <c>completed</c>, so a job still scraping is tailed by
/// polling as before. Each chunk read ahead downloads into its own buffer (at most <see cref="ChunkSession.ReadAheadBytes"/>)
/// and is handed to the walk only when the walk's cursor reaches its <c>skip</c>, so pages still come out strictly in job
/// order, through the same judging, dedupe, gap repair and resume rules as one chunk at a time. A chunk the server cut
/// short (its 10 MiB cap) leaves a gap before the next range: the walk follows that chunk's own cursor, and the chunk it
/// asks for is limited to the gap.
/// </summary>
/// <remarks>
/// <para>
/// Requests and transfers are counted apart (see RangeScheduler.Timing.cs): at most <see cref="AdaptiveConcurrency.Current"/>
/// bodies transfer at once, but a request is sent about one measured time to first byte before a transfer slot is
/// expected to free, so the server's latency is spent while other bodies still download.
/// </para>
/// <para>
/// Ranges are sized so that one response holds a whole range: the configured <c>limit</c>, lowered to about 90 % of
/// what the server's 10 MiB cap holds at the page size seen so far. Pages that turn out larger only cost a gap-filling
/// request.
/// </para>
/// </remarks>
internal sealed partial class RangeScheduler : IAsyncDisposable
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
    private readonly Lock _gate = new(); // the walk takes chunks; read-ahead bodies report from their own tasks
    private ChunkSession? _current;
    private volatile bool _limitRefused;
    private bool _disposed;
    private long _frontier;
    private long _bytesSeen;
    private long _pagesSeen;
    private int _serverPageSize;
    private long? _gapAt;
    private long? _nextSeen; // the walk's chunk's next cursor, once it has arrived
    private long? _completed;
    private int _range;
    private CancellationToken _token;

    public RangeScheduler(ApiConnection api, JobEndpoint endpoint, string jobId, JobStreamOptions streamOptions)
    {
        _api = api;
        _endpoint = endpoint;
        _jobId = jobId;
        _streamOptions = streamOptions;
        _configuredLimit = api.Options.ChunkLimit;
        _time = api.Options.TimeProvider;
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
    public int Held
    {
        get
        {
            lock (_gate)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>Gets the most chunks that were requested ahead of the walk at once.</summary>
    public int PeakHeld { get; private set; }

    /// <summary>
    /// The chunk at <paramref name="skip"/>: the one read ahead there, or a new one (limited to the gap before the next
    /// range read ahead). Chunks read ahead before <paramref name="skip"/> are no longer wanted (the cursor went past them).
    /// </summary>
    public async ValueTask<ChunkSession> TakeAsync(long skip)
    {
        List<ChunkSession>? passed = null;
        ChunkSession? chunk;
        lock (_gate)
        {
            while (_held.Count > 0 && _held.Keys[0] < skip)
            {
                (passed ??= []).Add(_held.Values[0]);
                _held.RemoveAt(0);
            }

            if (!_held.Remove(skip, out chunk))
            {
                int? limit = CutAtStop(skip, LimitAt(skip));
                _frontier = Math.Max(_frontier, skip + (limit ?? RangeSizeSeen()));
                chunk = new ChunkSession(_api, _endpoint, _jobId, skip, limit, _streamOptions, this) { Parent = Parent };
                chunk.Transfer.ExpectedBytes = ExpectedBytes(limit);
            }

            // Ranges start past what the walk has reached and past what this chunk asked for.
            _frontier = Math.Max(_frontier, skip + (chunk.Limit ?? RangeSizeSeen()));
            _current = chunk;
            _nextSeen = null;
            if (_gapAt <= skip)
            {
                _gapAt = null;
            }

            Wake(); // the chunk in turn may transfer at once
        }

        foreach (ChunkSession gone in passed ?? [])
        {
            await gone.DisposeAsync().ConfigureAwait(false);
        }

        return chunk;
    }

    /// <summary>
    /// Called as the walk reads a chunk: learns the job's <c>completed</c> count, the page size and the chunk's <c>next</c>
    /// (whichever has arrived), then requests what is due — the chunk at <c>next</c> and ranges after it.
    /// </summary>
    public void Plan(ChunkSession chunk, CancellationToken cancellationToken)
    {
        ChunkEnvelope envelope = chunk.Envelope;
        if (envelope.Completed is null && envelope.Next is null)
        {
            return;
        }

        lock (_gate)
        {
            _token = cancellationToken;
            if (!chunk.NextPlanned && envelope.Next is string link)
            {
                chunk.NextPlanned = true;
                long next = _endpoint.ParseNext(link, _jobId, chunk.Uri);
                if (ReferenceEquals(chunk, _current))
                {
                    _nextSeen = next;
                    _frontier = Math.Max(_frontier, next);
                }

                // Nothing new yet otherwise (the next request waits for the poll interval), or the range is all requested.
                if (next > chunk.Skip && next < _stopAt && !_held.ContainsKey(next))
                {
                    _gapAt = next;
                }
            }

            if (envelope.Completed is long completed)
            {
                _completed = completed;
            }

            _range = RangeSize(chunk);
            Fill();
        }
    }

    /// <summary>Learns from a chunk read to its end: its page size, and (without a configured limit) the server's.</summary>
    public void Finished(ChunkSession chunk)
    {
        if (chunk.PageCount <= 0)
        {
            return;
        }

        lock (_gate)
        {
            _bytesSeen += chunk.BytesReceived;
            _pagesSeen += chunk.PageCount;
            _capBytes = Math.Max(_capBytes, chunk.BytesReceived);
            _frontier = Math.Max(_frontier, chunk.Skip + chunk.PageCount);
            if (chunk.Limit is null && chunk.Envelope.Next is not null)
            {
                _serverPageSize = Math.Max(_serverPageSize, chunk.PageCount);
            }
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
        ChunkSession[] held;
        lock (_gate)
        {
            _disposed = true;
            held = [.. _held.Values];
            _held.Clear();
        }

        foreach (ChunkSession chunk in held)
        {
            await chunk.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Requests what is due now: the chunk at the last <c>next</c>, then ranges after the frontier.</summary>
    private void Fill()
    {
        if (_disposed || _token.IsCancellationRequested || Concurrency.IsPaused)
        {
            return;
        }

        int current = Concurrency.Current;
        while (Requests < RequestsPerTransfer * current && NextCandidate() is { } candidate)
        {
            (long skip, int? limit) = candidate;
            // As many chunks ahead as transfers may run at once go out at once (the walk's next ones); more only when
            // the timing says a transfer slot frees within one time to first byte.
            if (_held.Count >= current && !LaunchDue())
            {
                return;
            }

            if (skip == _gapAt)
            {
                _gapAt = null;
            }

            Launch(skip, limit);
        }
    }

    /// <summary>The next range to request: the gap at the last <c>next</c> first, then the frontier (while below <c>completed</c>).</summary>
    private (long Skip, int? Limit)? NextCandidate()
    {
        if (_gapAt is long gap)
        {
            if (!_held.ContainsKey(gap) && _current?.Skip != gap)
            {
                int? limit = LimitAt(gap);
                return (gap, CutAtStop(gap, _range > 0 && limit is int l ? Math.Min(l, _range) : limit));
            }

            _gapAt = null;
        }

        if (_range <= 0 || _completed is not long completed)
        {
            return null;
        }

        // Past the walk's chunk: after its next cursor once known (none while it does not move), else after the range
        // it asked for.
        long start = _frontier;
        if (_current is not null)
        {
            if (_nextSeen <= _current.Skip)
            {
                return null;
            }

            start = Math.Max(start, _nextSeen ?? _current.Skip + Math.Max(1, _current.Limit ?? RangeSizeSeen()));
        }

        return start < Math.Min(completed, _stopAt) && !_held.ContainsKey(start) ? (start, CutAtStop(start, _range)) : null;
    }

    private void Launch(long skip, int? limit)
    {
        var session = new ChunkSession(_api, _endpoint, _jobId, skip, limit, _streamOptions, this) { Parent = Parent };
        session.Transfer.ExpectedBytes = ExpectedBytes(limit);
        _held.Add(skip, session);
        PeakHeld = Math.Max(PeakHeld, _held.Count);
        _frontier = Math.Max(_frontier, skip + (limit ?? RangeSizeSeen()));
        session.Prefetch(_token);
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
        long seen = _pagesSeen + chunk.PageCount;
        if (seen > 0)
        {
            _bytesPerPage = (_bytesSeen + chunk.BytesReceived) / seen;
        }

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
