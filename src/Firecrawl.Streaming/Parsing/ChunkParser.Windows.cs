using System.Buffers;
using System.Text.Json;

namespace Firecrawl.Streaming;

/// <summary>
/// Running the reader over what arrived, one contiguous window at a time. <see cref="Utf8JsonReader"/> costs much more per
/// token over a multi-segment sequence than over a span, and a body pumped off the socket while the parser works
/// (<see cref="BodyPump"/>) arrives as exactly that: when the parser is the slower side, one read hands it hundreds of
/// 64 KB segments. So the reader runs over each large segment as a span of its own, and over the seams between segments
/// (and runs of small segments) through a small pooled copy; the reader's state carries from window to window.
/// </summary>
internal sealed partial class ChunkParser
{
    /// <summary>
    /// The client's <see cref="PageBytesPerCall"/>: a body that piled up while earlier pages were used is handed out 64 KB
    /// of pages at a time (measured with 0, 1 MB, 256 KB and 64 KB on the 10 MB chunk pumped in 4 KB reads: 1.14–1.23,
    /// 1.19, 1.10–1.13 and 1.05–1.11 the time of 1 MB segments read directly, raw pages; <c>--paired 31 segments</c>).
    /// </summary>
    public const int PageBytesPerRead = 64 * 1024;

    private long _incompleteToken; // the length of the token the last call could not finish (0: none)
    private long _emittedThisCall; // bytes of pages emitted by the current call

    /// <summary>
    /// Gets or sets how many bytes of pages one call emits at most before it stops after a page (0: no limit). A body
    /// that arrived faster than it is parsed is handed over in one piece; without a limit one call would emit every
    /// page of it (a whole 10 MB chunk) before the caller disposed any, so their buffers would neither come from a warm
    /// pool nor stay in the cache between being filled and being used.
    /// </summary>
    public int PageBytesPerCall { get; set; }

    /// <summary>
    /// Gets a value indicating whether the last call stopped early (<see cref="PageBytesPerCall"/>) with input left
    /// unread: the caller releases only up to <c>consumed</c>, marks nothing beyond it examined, and calls again
    /// without waiting for new bytes.
    /// </summary>
    public bool Paused { get; private set; }

    // A segment remainder at least this long is read in place; shorter ones are copied together with what follows.
    private const int SpanWindowMinimum = 16 * 1024;

    // How far a copied window reaches into the next large segment: past the token that straddles the seam, usually.
    private const int SeamBytes = 32 * 1024;

    // The largest window copied; a token that outgrows it is read from the multi-segment sequence itself.
    private const int LinearizeLimit = 256 * 1024;

    /// <summary>
    /// Reads the tokens of <paramref name="buffer"/> from <paramref name="from"/> on, emitting finished pages.
    /// </summary>
    /// <returns>How many bytes from <paramref name="from"/> the reader consumed (the rest is an incomplete token).</returns>
    private long ReadInput(in ReadOnlySequence<byte> buffer, long from, bool isFinalBlock, List<ScrapedPage> pages)
    {
        long done = 0;

        // A window no longer than this holds no complete token: the last window when it consumed nothing, and at first
        // the token the last call left incomplete (it has grown since), so that it is not read again in a window
        // that cannot hold it.
        long stuckWindow = _incompleteToken;
        while (true)
        {
            ReadOnlySequence<byte> rest = buffer.Slice(from + done);
            long windowBase = _bufferStart + from + done;
            ReadOnlySpan<byte> first = rest.FirstSpan;
            long window;
            long consumed;
            if (rest.IsSingleSegment || (first.Length >= SpanWindowMinimum && first.Length > stuckWindow))
            {
                window = first.Length;
                consumed = ReadWindow(buffer, rest, first, window, windowBase, isFinalBlock && window == rest.Length, pages);
            }
            else if ((window = CopyWindowLength(rest, stuckWindow)) > LinearizeLimit)
            {
                // A token longer than any window we copy: the reader follows it through the segments.
                window = rest.Length;
                consumed = ReadWindow(buffer, rest, default, window, windowBase, isFinalBlock, pages);
            }
            else
            {
                byte[] linear = ArrayPool<byte>.Shared.Rent((int)window);
                try
                {
                    rest.Slice(0, window).CopyTo(linear);
                    consumed = ReadWindow(buffer, rest, linear.AsSpan(0, (int)window), window, windowBase, isFinalBlock && window == rest.Length, pages);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(linear);
                }
            }

            done += consumed;
            if (_done || Paused || window == rest.Length)
            {
                return done;
            }

            stuckWindow = consumed == 0 ? window : 0;
        }
    }

    /// <summary>
    /// The length of the copied window at the start of <paramref name="rest"/>: the short remainder of the first segment,
    /// any short segments after it, and <see cref="SeamBytes"/> of the next long one; twice the last window when that one
    /// held no complete token.
    /// </summary>
    private static long CopyWindowLength(in ReadOnlySequence<byte> rest, long stuckWindow)
    {
        long length = 0;
        foreach (ReadOnlyMemory<byte> segment in rest)
        {
            if (length > 0 && segment.Length >= SpanWindowMinimum)
            {
                length += SeamBytes;
                break;
            }

            length += segment.Length;
            if (length >= LinearizeLimit)
            {
                break;
            }
        }

        length = Math.Max(length, 2 * stuckWindow);
        return Math.Min(length, rest.Length);
    }

    /// <summary>
    /// Runs the reader over one window of <paramref name="length"/> bytes: <paramref name="span"/> when not empty, else
    /// all of <paramref name="rest"/> (whose start the window shares). Returns the bytes it consumed.
    /// </summary>
    private long ReadWindow(
        in ReadOnlySequence<byte> buffer, in ReadOnlySequence<byte> rest, ReadOnlySpan<byte> span, long length, long windowBase, bool isFinalBlock, List<ScrapedPage> pages)
    {
        BytesScanned += length;
        JsonReaderState startState = _state;
        Utf8JsonReader reader = span.IsEmpty ? new Utf8JsonReader(rest, isFinalBlock, _state) : new Utf8JsonReader(span, isFinalBlock, _state);
        try
        {
            while (reader.Read())
            {
                if (_inPage)
                {
                    if (_page.OnToken(ref reader, windowBase))
                    {
                        EmitPage(buffer, windowBase + reader.BytesConsumed, pages);
                        if (PageBytesPerCall > 0 && _emittedThisCall >= PageBytesPerCall)
                        {
                            Paused = true;
                            break;
                        }
                    }
                }
                else if (OnEnvelopeToken(ref reader, windowBase))
                {
                    break; // root object closed
                }
            }
        }
        catch (JsonException e)
        {
            long offset = windowBase + reader.BytesConsumed;
            if (isFinalBlock && IsValidPrefix(rest, startState))
            {
                EndedEarly = true;
                ThrowHelper.ThrowMalformed("the body ended before the JSON document was complete (truncated response)", offset, e);
            }

            ThrowHelper.ThrowMalformed(e.Message, offset, e);
        }

        _state = reader.CurrentState;
        return reader.BytesConsumed;
    }
}
