using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.ExceptionServices;

namespace Firecrawl.Streaming;

/// <summary>
/// Reads one chunk (one response) of a job, page batch by page batch, as its bytes arrive. A transient
/// failure part-way (a dropped connection, a body that stalls past <see cref="FirecrawlJobClientOptions.BodyIdleTimeout"/>,
/// a 5xx) re-requests the same cursor and skips the pages of this chunk already handed out.
/// </summary>
internal sealed class ChunkSession : IAsyncDisposable
{
    private readonly ApiConnection _api;
    private readonly JobEndpoint _endpoint;
    private readonly FirecrawlJobClientOptions _options;
    private readonly JobStreamOptions _streamOptions;
    private readonly RetryState _retry;
    private readonly string _jobId;
    private readonly List<ScrapedPage> _parsed = [];

    private Task? _opening;
    private ExceptionDispatchInfo? _deferred;
    private HttpResponseMessage? _response;
    private PipeReader? _body;
    private ChunkParser? _parser;
    private CancellationTokenSource? _idle;
    private CancellationTokenRegistration _idleLink;
    private long _minimumRead;
    private long _held;
    private int _handedOut; // pages of this chunk already given to the caller, across attempts
    private bool _completed;

    public ChunkSession(ApiConnection api, JobEndpoint endpoint, string jobId, long skip, JobStreamOptions streamOptions)
    {
        _api = api;
        _endpoint = endpoint;
        _options = api.Options;
        _jobId = jobId;
        Skip = skip;
        _streamOptions = streamOptions;
        _retry = new RetryState(api.Options);
        Uri = endpoint.StatusUri(api, jobId, skip, _options.ChunkLimit);
    }

    public long Skip { get; }

    public Uri Uri { get; }

    /// <summary>Gets the top-level fields of the attempt that is (or was last) being read.</summary>
    public ChunkEnvelope Envelope => _parser?.Envelope ?? default;

    /// <summary>Gets the number of pages the chunk held (valid once it is complete).</summary>
    public int PageCount => _handedOut;

    /// <summary>Gets the body bytes received, across attempts.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Adds the next pages that have arrived; false when the chunk has ended and nothing was added.</summary>
    public async ValueTask<bool> ReadBatchAsync(List<ScrapedPage> pages, CancellationToken cancellationToken)
    {
        // A body that broke after some good pages: those were handed out first, now the error.
        _deferred?.Throw();
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
                TimeSpan delay = _retry.NextDelay(e, Uri, _jobId) ?? throw e.Rethrow();
                await CloseAsync().ConfigureAwait(false);
                await Task.Delay(delay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }

        return false;
    }

    /// <summary>
    /// Sends the request now, while the previous chunk is still being read, so the server's latency
    /// overlaps that work. A failure surfaces (and is retried) when the chunk is read.
    /// </summary>
    public void Prefetch(CancellationToken cancellationToken) => _opening ??= OpenAsync(cancellationToken);

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        _response = await _api.GetAsync(Uri, _jobId, cancellationToken).ConfigureAwait(false);
        Stream stream = await _response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        _body = PipeReader.Create(stream, new StreamPipeReaderOptions(
            bufferSize: _options.ReadBufferSize,
            minimumReadSize: Math.Min(4096, _options.ReadBufferSize / 2),
            leaveOpen: false));
        _parser = new ChunkParser(_endpoint.Kind, _jobId, Skip, _streamOptions.Fields, _streamOptions.PoolPageBuffers, _options.MaxPageBytes);
        _idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _options.TimeProvider);
        _idleLink = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _idle);
        _minimumRead = 0;
        _held = 0;
    }

    /// <summary>Reads until at least one new page is added (true) or the body ends (false).</summary>
    private async ValueTask<bool> ReadOnceAsync(List<ScrapedPage> pages, CancellationToken cancellationToken)
    {
        PipeReader body = _body!;
        ChunkParser parser = _parser!;
        int parsedBefore = parser.PageCount;
        while (true)
        {
            ReadResult result = await ReadWithIdleTimeoutAsync(body, cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;

            // Measured now: once AdvanceTo has run, the pipe may recycle the buffer's segments.
            long length = buffer.Length;
            BytesReceived += length - _held;
            long consumedBefore = parser.BytesConsumed;
            _parsed.Clear();
            try
            {
                _minimumRead = parser.Parse(buffer, result.IsCompleted, _parsed, out SequencePosition consumed);
                body.AdvanceTo(consumed, buffer.End);
                _held = length - (parser.BytesConsumed - consumedBefore);
            }
            catch (JobStreamException e) when (_parsed.Count > 0)
            {
                // Not transient (a malformed body): hand out the pages that were complete before the error.
                _deferred = ExceptionDispatchInfo.Capture(e);
                _completed = true;
            }
            catch
            {
                DisposeAll(_parsed);
                throw;
            }

            int added = 0;
            for (int i = 0; i < _parsed.Count; i++)
            {
                // After a retry the chunk is read again from its start; its first pages were handed out already.
                if (parsedBefore + i < _handedOut)
                {
                    _parsed[i].Dispose();
                    continue;
                }

                pages.Add(_parsed[i]);
                added++;
            }

            parsedBefore += _parsed.Count;
            _handedOut += added;
            if (_deferred is not null)
            {
                if (added == 0)
                {
                    _deferred.Throw();
                }

                return true;
            }

            if (result.IsCompleted)
            {
                _completed = true;
                _retry.Reset();
                return added > 0;
            }

            if (added > 0)
            {
                return true;
            }
        }
    }

    private async ValueTask<ReadResult> ReadWithIdleTimeoutAsync(PipeReader body, CancellationToken cancellationToken)
    {
        CancellationTokenSource idle = _idle!;
        idle.CancelAfter(_options.BodyIdleTimeout);
        try
        {
            return _minimumRead > 0
                ? await body.ReadAtLeastAsync((int)_minimumRead, idle.Token).ConfigureAwait(false)
                : await body.ReadAsync(idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The response body delivered no bytes for {_options.BodyIdleTimeout.TotalSeconds:0.###} s.");
        }
        finally
        {
            // Time the consumer spends on the pages is not the server's silence.
            idle.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    private async ValueTask CloseAsync()
    {
        if (_opening is Task opening)
        {
            _opening = null;
            try
            {
                await opening.ConfigureAwait(false);
            }
            catch (Exception e) when (e is JobStreamException or HttpRequestException or IOException or OperationCanceledException)
            {
                // A prefetched chunk that is no longer wanted: its failure does not matter.
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

    public ValueTask DisposeAsync() => CloseAsync();
}
