using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace Firecrawl.Streaming;

/// <summary>Quotes the start of a body in an error without anything secret in it: the connection supplies it, since only it knows the API key.</summary>
/// <param name="utf8">The body from where the quote starts.</param>
/// <param name="maxChars">The most characters to quote.</param>
/// <returns>The quote.</returns>
internal delegate string BodyPreview(ReadOnlySpan<byte> utf8, int maxChars);

/// <summary>
/// Parses one batch status response incrementally: fed whatever bytes have arrived, it emits every
/// page whose closing brace is among them and tells the caller how much of the buffer it may release.
/// </summary>
/// <remarks>
/// Between pages the parser consumes everything it has read, so the pipe holds at most one page plus
/// one segment. Inside a page it keeps the page's bytes but remembers the reader state at the last
/// complete token, so a page spread over many reads is scanned once, not once per read. Only a single
/// token (a multi-megabyte string) is re-read as bytes arrive, and for those the caller asks the
/// pipe for geometrically more bytes at a time, keeping the total work linear.
/// </remarks>
internal sealed partial class ChunkParser
{
    // Incomplete tokens shorter than this are simply re-read when any new data arrives; longer ones
    // wait for the buffered amount to double, so a 30 MB string is not re-scanned per 64 KB segment.
    // (An incomplete string is not re-read at all: StringScan waits for its closing quote.)
    private const int RescanThreshold = 64 * 1024;

    private readonly JobKind _jobKind;
    private readonly string _jobId;
    private readonly long _basePosition;
    private readonly PageFields _selection;
    private readonly ArrayPool<byte>? _pool;
    private readonly int _maxPageBytes;
    private readonly List<PropertySpan>? _properties;
    private readonly BodyPreview? _preview;
    private HashSet<int>? _utf8Repaired;

    private JsonReaderState _state;
    private long _bufferStart;   // absolute offset (in the body) of the first byte the pipe still holds
    private long _resumeOffset;  // where in the held bytes the reader continues (past a partial page's scanned part)
    private bool _started;
    private bool _done;
    private TopLevelField _topField;
    private bool _inData;
    private bool _inPage;
    private PageScanner _page;
    private int _pageIndex;
    private ChunkEnvelope _envelope;
    private StringScan _stringScan;

    /// <param name="jobKind">The kind of job.</param>
    /// <param name="jobId">The job.</param>
    /// <param name="basePosition">The offset of the chunk's first page.</param>
    /// <param name="selection">The fields kept.</param>
    /// <param name="poolPageBuffers">Whether page buffers are rented (from <paramref name="pagePool"/>, else the shared pool).</param>
    /// <param name="maxPageBytes">The largest page accepted.</param>
    /// <param name="preview">Quotes a body in errors.</param>
    /// <param name="pagePool">The pool page buffers come from when pooled; null for <see cref="ArrayPool{T}.Shared"/>.</param>
    public ChunkParser(JobKind jobKind, string jobId, long basePosition, PageFields selection, bool poolPageBuffers, int maxPageBytes, BodyPreview? preview = null, ArrayPool<byte>? pagePool = null)
    {
        _preview = preview;
        _jobKind = jobKind;
        _jobId = jobId;
        _basePosition = basePosition;
        _selection = selection;
        _pool = poolPageBuffers ? pagePool ?? ArrayPool<byte>.Shared : null;
        _maxPageBytes = maxPageBytes;
        _properties = selection == PageFields.All ? null : [];
        _state = new JsonReaderState(new JsonReaderOptions { MaxDepth = PageParser.MaxDepth });
    }

    /// <summary>Gets the top-level fields read so far.</summary>
    public ref readonly ChunkEnvelope Envelope => ref _envelope;

    /// <summary>Gets a value indicating whether the root object has been read to its end.</summary>
    public bool IsComplete => _done;

    /// <summary>Gets the number of pages emitted so far.</summary>
    public int PageCount => _pageIndex;

    /// <summary>Gets the number of body bytes released so far.</summary>
    public long BytesConsumed => _bufferStart;

    /// <summary>Gets the number of bytes handed to the JSON reader so far (a measure of re-scanning).</summary>
    public long BytesScanned { get; private set; }

    /// <summary>
    /// Gets a value indicating whether the body ended before its JSON was complete (nothing at all, or a valid start cut
    /// short): set before the parser throws, so that the caller can treat it as the transient failure it is on a GET.
    /// </summary>
    public bool EndedEarly { get; private set; }

    /// <summary>Whether the page with this index (0 = the chunk's first) had invalid UTF-8 replaced (see <see cref="EmitPage"/>).</summary>
    public bool IsUtf8Repaired(int pageIndex) => _utf8Repaired?.Contains(pageIndex) == true;

    /// <summary>
    /// Parses <paramref name="buffer"/>, adding finished pages to <paramref name="pages"/>.
    /// </summary>
    /// <param name="buffer">Every byte the pipe holds (it starts where the last call's <paramref name="consumed"/> pointed).</param>
    /// <param name="isFinalBlock">Whether the body has ended.</param>
    /// <param name="pages">Receives the pages finished in this call.</param>
    /// <param name="consumed">How far the pipe may release.</param>
    /// <returns>The number of bytes the pipe should hold before the next call (0: any new data will do).</returns>
    public long Parse(ReadOnlySequence<byte> buffer, bool isFinalBlock, List<ScrapedPage> pages, out SequencePosition consumed)
    {
        Paused = false;
        _emittedThisCall = 0;
        if (_done)
        {
            // Only whitespace may follow the root object; the reader checked what was buffered with it.
            ThrowIfTrailingData(buffer);
            consumed = buffer.End;
            _bufferStart += buffer.Length;
            return 0;
        }

        if (!_started && !TryStart(ref buffer, isFinalBlock))
        {
            consumed = buffer.Start;
            return buffer.Length + 1;
        }

        // Inside a long string that has not ended yet, only the new bytes are looked at (see StringScan).
        if (_stringScan.Pending && !isFinalBlock && !_stringScan.Continue(buffer.Slice(_stringScan.Position - _bufferStart)))
        {
            consumed = buffer.Start;
            if (buffer.Length > _maxPageBytes)
            {
                ThrowHelper.ThrowPageTooLarge(_bufferStart, buffer.Length, _maxPageBytes);
            }

            return MinimumToHold(buffer.Length, buffer.Length - _resumeOffset);
        }

        _stringScan = default;
        long scannedTo = _resumeOffset + ReadInput(buffer, _resumeOffset, isFinalBlock, pages); // relative to buffer
        if (_done)
        {
            ThrowIfTrailingData(buffer.Slice(scannedTo));
            consumed = buffer.End;
            _bufferStart += buffer.Length;
            _resumeOffset = 0;
            return 0;
        }

        if (Paused)
        {
            // Stopped after a page with input left: everything up to that page's end is released, the rest is read
            // by the next call (which the caller makes without waiting for new bytes).
            consumed = buffer.GetPosition(scannedTo);
            _bufferStart += scannedTo;
            _resumeOffset = 0;
            _incompleteToken = 0;
            return 0;
        }

        if (isFinalBlock)
        {
            EndedEarly = true;
            ThrowHelper.ThrowMalformed("the body ended before the JSON document was complete (truncated response)", _bufferStart + scannedTo);
        }

        // Keep a partial page's bytes; release everything before it.
        long keepFrom = _inPage ? _page.Start - _bufferStart : scannedTo;
        consumed = buffer.GetPosition(keepFrom);
        long held = buffer.Length - keepFrom;
        if (held > _maxPageBytes)
        {
            ThrowHelper.ThrowPageTooLarge(_bufferStart + keepFrom, held, _maxPageBytes);
        }

        _bufferStart += keepFrom;
        _resumeOffset = scannedTo - keepFrom;

        long incomplete = buffer.Length - scannedTo;
        _incompleteToken = incomplete;
        if (incomplete >= StringScan.Threshold)
        {
            // The reader runs again once the string's closing quote is in; until then only new bytes are looked at.
            _stringScan.TryStart(buffer.Slice(scannedTo), _bufferStart + _resumeOffset);
        }

        return MinimumToHold(held, incomplete);
    }

    /// <summary>
    /// How much the pipe should hold before the next call: any new data for a short incomplete token; twice the
    /// incomplete part for a long one, so a multi-megabyte value arrives in few, large reads whether it is re-read
    /// (any token) or followed (a string, see <see cref="StringScan"/>).
    /// </summary>
    private long MinimumToHold(long held, long incomplete) =>
        incomplete < RescanThreshold ? 0 : Math.Min(held + incomplete, (long)_maxPageBytes + 1);

    private void EmitPage(in ReadOnlySequence<byte> buffer, long endAbsolute, List<ScrapedPage> pages)
    {
        long start = _page.Start;
        long length = endAbsolute - start;
        if (length > _maxPageBytes)
        {
            ThrowHelper.ThrowPageTooLarge(start, length, _maxPageBytes);
        }

        ReadOnlySequence<byte> source = buffer.Slice(start - _bufferStart, length);
        int size = _page.MeasureCopy(length, _selection);
        byte[] owned = _pool is not null ? _pool.Rent(size) : GC.AllocateUninitializedArray<byte>(size);
        int written = _page.CopyTo(source, _selection, owned, out PageLayout layout);
        if (!Utf8.IsValid(owned.AsSpan(0, written)))
        {
            written = RepairUtf8(ref owned, written, out layout);
            (_utf8Repaired ??= []).Add(_pageIndex);
        }

        pages.Add(new ScrapedPage(owned, written, _pool, layout, _jobKind, _jobId, _basePosition + _pageIndex));
        _emittedThisCall += written;
        _pageIndex++;
        _inPage = false;
    }

    /// <summary>
    /// Replaces every invalid UTF-8 sequence of a page (the JSON reader does not check the bytes inside strings) with
    /// U+FFFD, so that neither the typed fields nor the raw <see cref="ScrapedPage.Utf8Json"/> a sink writes out carry
    /// invalid UTF-8. Each replacement takes three bytes where the invalid sequence may have taken one, so the page is
    /// copied into a new buffer and its layout taken again. Invalid bytes can only be inside strings (the reader rejects
    /// them anywhere else), where U+FFFD is as valid as any character, so the JSON stays valid. Rare, hence simple.
    /// </summary>
    private int RepairUtf8(ref byte[] owned, int written, out PageLayout layout)
    {
        byte[] repaired = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(owned, 0, written));
        if (_pool is not null)
        {
            _pool.Return(owned);
            owned = _pool.Rent(repaired.Length);
            repaired.CopyTo(owned, 0);
        }
        else
        {
            owned = repaired;
        }

        layout = PageScanner.ScanStandalone(repaired);
        return repaired.Length;
    }

    /// <summary>Whether the bytes are a valid start of a longer document (so an error on them means truncation).</summary>
    private static bool IsValidPrefix(ReadOnlySequence<byte> input, JsonReaderState state)
    {
        var reader = new Utf8JsonReader(input, isFinalBlock: false, state);
        try
        {
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private void ThrowIfTrailingData(ReadOnlySequence<byte> rest)
    {
        foreach (ReadOnlyMemory<byte> segment in rest)
        {
            int index = segment.Span.IndexOfAnyExcept(" \t\r\n"u8);
            if (index >= 0)
            {
                ThrowHelper.ThrowMalformed("unexpected data after the end of the JSON document", _bufferStart + index);
            }
        }
    }
}
