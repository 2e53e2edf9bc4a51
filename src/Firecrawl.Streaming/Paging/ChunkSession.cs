using System.Diagnostics;
using System.IO.Pipelines;
using System.Runtime.ExceptionServices;

namespace Firecrawl.Streaming;

/// <summary>
/// Reads one chunk (one response) of a job, page batch by page batch, as its bytes arrive. A transient
/// failure part-way (a dropped connection, a body that stalls past <see cref="FirecrawlJobClientOptions.BodyIdleTimeout"/>,
/// a 5xx, an empty body or one cut short) re-requests the same cursor and skips the pages of this chunk already handed
/// out, recognised by identity (see <see cref="HandedOutPages"/>). Gap repair reads its small probes through it too,
/// so they follow the same origin, retry and rate-limit rules as paging.
/// </summary>
internal sealed partial class ChunkSession : IAsyncDisposable
{
    private readonly ApiConnection _api;
    private readonly JobEndpoint _endpoint;
    private readonly FirecrawlJobClientOptions _options;
    private readonly JobStreamOptions _streamOptions;
    private readonly RetryState _retry;
    private readonly string _jobId;
    private readonly List<ScrapedPage> _parsed = [];
    private readonly RangeScheduler? _ranges;
    private int? _limit;

    private Task? _opening;
    private CancellationTokenSource? _openingCancel; // cancels a prefetch that nobody will read
    private ExceptionDispatchInfo? _deferred;
    private IOException? _endedEarly;
    private HttpResponseMessage? _response;
    private PipeReader? _body;
    private ChunkParser? _parser;
    private CancellationTokenSource? _idle;
    private CancellationTokenRegistration _idleLink;
    private long _minimumRead;
    private long _held;
    private HandedOutPages _handedOut;
    private bool _completed;
    private Activity? _span;

    /// <param name="api">The connection.</param>
    /// <param name="endpoint">The kind of job.</param>
    /// <param name="jobId">The job.</param>
    /// <param name="skip">The cursor.</param>
    /// <param name="limit">The <c>limit</c> parameter, or null for the server's default.</param>
    /// <param name="streamOptions">The stream's options.</param>
    /// <param name="ranges">The walk's range scheduler, told about 429s and a refused <c>limit</c>; null for gap-repair probes.</param>
    public ChunkSession(ApiConnection api, JobEndpoint endpoint, string jobId, long skip, int? limit, JobStreamOptions streamOptions, RangeScheduler? ranges = null)
    {
        _api = api;
        _endpoint = endpoint;
        _options = api.Options;
        _jobId = jobId;
        Skip = skip;
        _streamOptions = streamOptions;
        _retry = new RetryState(api.Options);
        _ranges = ranges;
        _limit = limit;
        Uri = endpoint.StatusUri(api, jobId, skip, limit);
    }

    public long Skip { get; }

    /// <summary>Gets or sets the span of the job stream this chunk belongs to: the parent of each request's span.</summary>
    public Activity? Parent { get; init; }

    public Uri Uri { get; private set; }

    /// <summary>Gets the <c>limit</c> asked for, or null for the server's default.</summary>
    public int? Limit => _limit;

    /// <summary>Gets the top-level fields of the attempt that is (or was last) being read.</summary>
    public ChunkEnvelope Envelope => _parser?.Envelope ?? default;

    /// <summary>Gets the number of listing positions the chunk covered: its pages in the last attempt (valid once it is complete).</summary>
    public int PageCount => _parser?.PageCount ?? 0;

    /// <summary>Gets the body bytes received, across attempts.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Gets the timing of the current request, kept by the range scheduler (under its lock).</summary>
    public ChunkTransfer Transfer { get; } = new();

    /// <summary>Gets or sets a value indicating whether the range scheduler has seen this chunk's <c>next</c>.</summary>
    public bool NextPlanned { get; set; }

    /// <summary>Gets a value indicating whether the walk has reached this chunk (or it was never read ahead).</summary>
    public bool IsTurn => _turn is null || _turn.Task.IsCompleted;

    /// <summary>Adds the next pages that have arrived; false when the chunk has ended and nothing was added.</summary>
    public async ValueTask<bool> ReadBatchAsync(List<ChunkPage> pages, CancellationToken cancellationToken)
    {
        // A body that broke after some good pages: those were handed out first, now the error.
        _deferred?.Throw();

        // Its turn in the walk: a chunk read ahead may now buffer past its read-ahead budget.
        _turn?.TrySetResult();
        while (!_completed)
        {
            try
            {
                // A prefetch may still be opening (its fields half set): always wait for it first.
                if (_opening is Task opening)
                {
                    _opening = null;
                    await opening.ConfigureAwait(false);
                }
                else if (_body is null)
                {
                    await OpenAsync(cancellationToken).ConfigureAwait(false);
                }

                if (await ReadOnceAsync(pages, cancellationToken).ConfigureAwait(false))
                {
                    return true;
                }
            }
            catch (Exception e) when (RetryState.CanRetry(e, cancellationToken))
            {
                EndSpan(e);
                TimeSpan delay = _retry.NextDelay(e, Uri, _jobId) ?? throw e.Rethrow();
                await CloseAsync().ConfigureAwait(false);
                await Task.Delay(delay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }

        return false;
    }

    /// <summary>
    /// Sends the request now, while the previous chunk is still being read, so the server's latency
    /// overlaps that work. A failure surfaces (and is retried) when the chunk is read; a prefetch that is
    /// disposed unread is cancelled, not waited for.
    /// </summary>
    public void Prefetch(CancellationToken cancellationToken)
    {
        if (_opening is not null)
        {
            return;
        }

        _turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _openingCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // Started here, not on a task of its own: requests reach the server in the order the walk wants them (a listing
        // that shifts between two requests is then seen by the earlier range first). The range scheduler calls this under
        // its lock, which its callbacks re-enter on this thread.
        _opening = OpenAsync(_openingCancel.Token);
    }

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        // One span per request (a retry is a new one), from sending it to the end of its body; the HTTP client's own span
        // is its child, since it starts in this async flow. The stream's span is named explicitly: a chunk read ahead runs
        // outside the flow that started the stream.
        _span = FirecrawlStreamingDiagnostics.Source.StartActivity("firecrawl.chunk.request", ActivityKind.Internal, Parent?.Context ?? default);
        _span?.SetTag("firecrawl.job.id", _jobId);
        _span?.SetTag("firecrawl.chunk.skip", Skip);
        _span?.SetTag("url.full", ApiConnection.Quote(Uri));
        _ranges?.OnSent(this);
        _response = await SendAsync(cancellationToken).ConfigureAwait(false);
        Stream stream = await _response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        if (_ranges is not null)
        {
            // The server's latency is behind us; the body waits for a transfer slot (the chunk in turn never does).
            await _ranges.WaitForSlotAsync(this, cancellationToken).ConfigureAwait(false);
            stream = new MeteredStream(stream, _ranges, this);
        }
        _body = StartPump(stream, cancellationToken);
        _parser = new ChunkParser(_endpoint.Kind, _jobId, Skip, _streamOptions.Fields, _streamOptions.PoolPageBuffers, _options.MaxPageBytes, _api.Preview, _streamOptions.PoolPageBuffers ? _ranges?.Pools.Pages : null)
        {
            PageBytesPerCall = ChunkParser.PageBytesPerRead,
        };
        _idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _options.TimeProvider);
        _idleLink = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _idle);
        _minimumRead = 0;
        _held = 0;
        _handedOut.BeginAttempt();
    }

    /// <summary>Ends the span of the current request: with an error, or (null) as finished.</summary>
    private void EndSpan(Exception? error)
    {
        if (_span is null)
        {
            return;
        }

        if (error is not null)
        {
            _span.SetStatus(ActivityStatusCode.Error, error.Message);
            _span.SetTag("error.type", error.GetType().Name);
        }
        else
        {
            _span.SetTag("firecrawl.chunk.pages", PageCount);
            _span.SetTag("firecrawl.chunk.bytes", BytesReceived);
        }

        _span.Stop();
        _span = null;
    }

    private async ValueTask CloseAsync()
    {
        EndSpan(error: null);
        if (_opening is Task opening)
        {
            // A prefetched request that is no longer wanted: stop it rather than wait for its headers.
            _opening = null;
            await _openingCancel!.CancelAsync().ConfigureAwait(false);
            try
            {
                await opening.ConfigureAwait(false);
            }
            catch (Exception e) when (e is JobStreamException or HttpRequestException or IOException or TimeoutException or OperationCanceledException)
            {
                // Its failure does not matter.
            }
        }

        await _idleLink.DisposeAsync().ConfigureAwait(false);
        _idle?.Dispose();
        _idle = null;
        if (_body is not null)
        {
            await _body.CompleteAsync().ConfigureAwait(false);
            _body = null;
        }

        await StopPumpAsync().ConfigureAwait(false);

        _response?.Dispose();
        _response = null;
    }

    private static void DisposeAll(List<ScrapedPage> pages)
    {
        foreach (ScrapedPage page in pages)
        {
            page.Dispose();
        }

        pages.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        _ranges?.Unregister(this);
        await CloseAsync().ConfigureAwait(false);
        _openingCancel?.Dispose();
        _openingCancel = null;
    }
}
