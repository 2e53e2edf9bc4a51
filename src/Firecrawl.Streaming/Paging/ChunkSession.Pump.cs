using System.IO.Pipelines;

namespace Firecrawl.Streaming;

/// <summary>
/// The body's pump: a task that moves the socket's bytes into a pipe the parser reads. It lets a chunk that was
/// requested ahead of its turn download while earlier chunks are parsed (up to <see cref="ReadAheadBytes"/>), and it
/// coalesces the socket's small reads (4–16 KB on a real link) into large contiguous segments whenever the parser is
/// the slower side, so the parser sees few, large reads exactly when its speed matters.
/// </summary>
internal sealed partial class ChunkSession
{
    /// <summary>
    /// How much of its body a chunk read ahead of its turn may hold before it waits for the walk to reach it: the
    /// reorder buffer is at most <see cref="FirecrawlJobClientOptions.MaxConcurrency"/> × this (the server caps a
    /// response at 10 MiB of UTF-16 units, a little more in UTF-8 bytes, so a whole chunk usually fits).
    /// </summary>
    public const int ReadAheadBytes = 16 * 1024 * 1024;

    /// <summary>The smallest free space the pump reads the socket into; smaller leftovers start a new segment.</summary>
    private const int PumpReadHint = 8 * 1024;

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
        var pipe = new Pipe(new PipeOptions(
            minimumSegmentSize: _options.ReadBufferSize,
            pauseWriterThreshold: 0, // never blocks: read-ahead is bounded below, a chunk in its turn by its own size
            resumeWriterThreshold: 0,
            useSynchronizationContext: false));
        _pumpCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _pump = PumpAsync(source, pipe.Writer, _turn?.Task, _pumpCancel.Token);
        return pipe.Reader;
    }

    private static async Task PumpAsync(Stream source, PipeWriter writer, Task? turn, CancellationToken cancellationToken)
    {
        Exception? error = null;
        try
        {
            long written = 0;
            while (true)
            {
                if (turn is { IsCompleted: false } && written >= ReadAheadBytes)
                {
                    await turn.WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                int read = await source.ReadAsync(writer.GetMemory(PumpReadHint), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                writer.Advance(read);
                written += read;
                FlushResult flushed = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    break; // the reader is gone
                }
            }
        }
        catch (Exception e)
        {
            // The reader sees the socket's own exception (a dropped connection, a body cut short of its length) and
            // retries it like before; after a close nobody reads it.
            error = e;
        }

        await writer.CompleteAsync(error).ConfigureAwait(false);
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
