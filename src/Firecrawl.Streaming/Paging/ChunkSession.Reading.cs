using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.ExceptionServices;

namespace Firecrawl.Streaming;

/// <summary>Reading one attempt's body: parsing what arrived, handing out the pages not handed out before, and the idle timeout.</summary>
internal sealed partial class ChunkSession
{
    /// <summary>Reads until at least one new page is added (true) or the body ends (false).</summary>
    private async ValueTask<bool> ReadOnceAsync(List<ChunkPage> pages, CancellationToken cancellationToken)
    {
        if (_endedEarly is IOException endedEarly)
        {
            // The pages before the end were handed out; now the end itself, as the transient failure it is on a GET.
            _endedEarly = null;
            throw endedEarly;
        }

        PipeReader body = _body!;
        ChunkParser parser = _parser!;
        while (true)
        {
            ReadResult result = await ReadWithIdleTimeoutAsync(body, cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;

            // Measured now: once AdvanceTo has run, the pipe may recycle the buffer's segments.
            long length = buffer.Length;
            BytesReceived += length - _held;
            long consumedBefore = parser.BytesConsumed;
            int firstIndex = parser.PageCount;
            _parsed.Clear();
            try
            {
                _minimumRead = parser.Parse(buffer, result.IsCompleted, _parsed, out SequencePosition consumed);

                // A parser that paused after a few pages has more to read in what arrived: nothing past them is examined,
                // so the next read returns at once instead of waiting for new bytes.
                body.AdvanceTo(consumed, parser.Paused ? consumed : buffer.End);
                _held = length - (parser.BytesConsumed - consumedBefore);
            }
            catch (JobStreamException e) when (parser.EndedEarly)
            {
                // An empty body, or one that ends cleanly before its JSON does: a proxy cut it short. Retried like a 5xx,
                // after the pages that did arrive are handed out.
                var error = new IOException(
                    length == 0 ? "The response body was empty." : $"The response body ended after {length} bytes, before its JSON was complete.", e);
                if (_parsed.Count == 0)
                {
                    throw error;
                }

                _endedEarly = error;
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

            int added = HandOut(parser, firstIndex, pages);
            if (_deferred is not null)
            {
                if (added == 0)
                {
                    _deferred.Throw();
                }

                return true;
            }

            if (_endedEarly is IOException ended)
            {
                if (added == 0)
                {
                    _endedEarly = null;
                    throw ended;
                }

                return true;
            }

            if (result.IsCompleted && !parser.Paused)
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

    /// <summary>Adds the parsed pages not handed out before (after a retry the chunk is read again from its start).</summary>
    private int HandOut(ChunkParser parser, int firstIndex, List<ChunkPage> pages)
    {
        int added = 0;
        for (int i = 0; i < _parsed.Count; i++)
        {
            ScrapedPage page = _parsed[i];
            var id = PageIdentity.Of(page);
            if (!_handedOut.Meet(id, out bool late, out PageIdentity neighbor, out bool neighborFollows))
            {
                page.Dispose();
                continue;
            }

            bool repaired = parser.IsUtf8Repaired(firstIndex + i);
            pages.Add(late ? new ChunkPage(page, id, repaired, neighbor, neighborFollows) : new ChunkPage(page, id, repaired));
            added++;
        }

        _parsed.Clear();
        return added;
    }

    /// <summary>
    /// The next read, failing when no byte arrived for <see cref="FirecrawlJobClientOptions.BodyIdleTimeout"/>. Idle
    /// means silent and nothing else: every read that brings bytes restarts the timer, even while the parser waits for
    /// more than has arrived (a large page on a slow link keeps delivering and must not time out).
    /// </summary>
    private async ValueTask<ReadResult> ReadWithIdleTimeoutAsync(PipeReader body, CancellationToken cancellationToken)
    {
        CancellationTokenSource idle = _idle!;
        while (true)
        {
            ReadResult result;
            idle.CancelAfter(_options.BodyIdleTimeout);
            try
            {
                result = await body.ReadAsync(idle.Token).ConfigureAwait(false);
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

            if (result.IsCompleted || result.Buffer.Length >= _minimumRead)
            {
                return result;
            }

            // Not enough for the parser yet: keep everything, mark it examined, and wait for more under a fresh timer.
            body.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
