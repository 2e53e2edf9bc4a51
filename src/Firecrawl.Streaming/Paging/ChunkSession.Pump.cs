using System.IO.Pipelines;

namespace Firecrawl.Streaming;

/// <summary>
/// Sending the request (a refused <c>limit</c>, a 429 reported to the ranges) and the body's pump (<see cref="BodyPump"/>):
/// it lets a chunk requested ahead of its turn download while earlier chunks are parsed (up to
/// <see cref="ReadAheadBytes"/>), and coalesces the socket's small reads whenever the parser is the slower side.
/// </summary>
internal sealed partial class ChunkSession
{
    /// <summary>
    /// How much of its body a chunk read ahead of its turn may hold before it waits for the walk to reach it: the
    /// reorder buffer is at most <see cref="FirecrawlJobClientOptions.MaxConcurrency"/> × this (the server caps a
    /// response at 10 MiB of UTF-16 units, a little more in UTF-8 bytes, so a whole chunk usually fits).
    /// </summary>
    public const int ReadAheadBytes = 16 * 1024 * 1024;

    private TaskCompletionSource? _turn; // completed once the walk reads this chunk; null: read in turn from the start
    private Task? _pump;
    private CancellationTokenSource? _pumpCancel;

    /// <summary>Sends the request; a server that refuses <c>limit</c> is asked again without it (once, for the whole walk).</summary>
    private async Task<HttpResponseMessage> SendAsync(CancellationToken cancellationToken)
    {
        try
        {
            HttpResponseMessage response = await _api.GetAsync(Uri, _jobId, cancellationToken).ConfigureAwait(false);
            _ranges?.OnResponse(this);
            return response;
        }
        catch (FirecrawlApiException e) when (e.Status == 429)
        {
            _ranges?.OnThrottled(e.RetryAfter);
            throw;
        }
        catch (FirecrawlApiException e) when (e.Status == 400 && _limit is not null && _ranges is not null)
        {
            // Older or stricter servers may not know the parameter: their default page size is slower, not wrong.
            _ranges.OnLimitRefused();
            _limit = null;
            Uri = _endpoint.StatusUri(_api, _jobId, Skip, limit: null);
            return await _api.GetAsync(Uri, _jobId, cancellationToken).ConfigureAwait(false);
        }
    }

    private PipeReader StartPump(Stream source, CancellationToken cancellationToken)
    {
        _pumpCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        PipeReader reader = BodyPump.Start(source, _options.ReadBufferSize, _turn?.Task, ReadAheadBytes, _pumpCancel.Token, out Task pump, _ranges?.Pools.Segments);
        _pump = pump;
        return reader;
    }

    private async ValueTask StopPumpAsync()
    {
        if (_pump is null)
        {
            return;
        }

        await _pumpCancel!.CancelAsync().ConfigureAwait(false);
        await _pump.ConfigureAwait(false); // never throws: the pump hands its errors to the reader
        _pump = null;
        _pumpCancel.Dispose();
        _pumpCancel = null;
    }
}
