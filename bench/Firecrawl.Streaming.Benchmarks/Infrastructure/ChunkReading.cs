using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace Firecrawl.Streaming.Benchmarks.Infrastructure;

/// <summary>What a benchmark does with each page the streaming parser emits.</summary>
public enum PageUse
{
    /// <summary>Reads every typed property (decoding each one); the page keeps its own buffer.</summary>
    AllTypedFields,

    /// <summary>Reads every typed property, then disposes the page (its buffer goes back to the pool).</summary>
    AllTypedFieldsPooled,

    /// <summary>Reads <see cref="ScrapedPage.Markdown"/> and the typed metadata (with a <see cref="PageFields"/> selection).</summary>
    MarkdownAndMetadata,

    /// <summary>Touches the raw UTF-8 JSON only, then disposes the page (pooled buffers).</summary>
    RawUtf8,

    /// <summary>Parses only: every page keeps its own buffer, no field is read (typed fields are decoded on first read).</summary>
    ParseOnly,

    /// <summary>
    /// Reads every typed field, the text fields (markdown, HTML, raw HTML, screenshot, summary) as UTF-8 through
    /// <see cref="ScrapedPage.TryWriteUtf8"/> into a reused buffer, links and metadata as strings; own buffers.
    /// </summary>
    AllFieldsTextAsUtf8,
}

/// <summary>Drives <see cref="ChunkParser"/> from a <see cref="PipeReader"/> exactly as the client's chunk session does.</summary>
public static class ChunkReading
{
    public const int MaxPageBytes = 256 * 1024 * 1024;

    /// <summary>Bytes the parser handed to its reader in the last <see cref="ParseAsync"/> (diagnostics: re-scanning).</summary>
    public static long LastBytesScanned { get; private set; }

    public static long ParseTicks { get; set; }

    public static long Reads { get; set; }

    /// <summary>The parser's <see cref="ChunkParser.PageBytesPerCall"/> (the client's value unless an experiment sets it).</summary>
    public static int PageBytesPerCall { get; set; } = int.TryParse(Environment.GetEnvironmentVariable("FCBENCH_PAGE_BYTES_PER_CALL"), out int bytes) ? bytes : ChunkParser.PageBytesPerRead;

    /// <summary>Bytes the parser was handed, summed over its calls (diagnostics: how large the reads are).</summary>
    public static long BytesHanded { get; set; }

    /// <summary>Bytes handed in calls whose buffer spanned more than one segment (diagnostics).</summary>
    public static long BytesHandedMultiSegment { get; set; }

    /// <summary>The whole chunk in one segment, read in one call (an in-memory body).</summary>
    public static PipeReader Whole(byte[] body) => PipeReader.Create(new ReadOnlySequence<byte>(body));

    /// <summary>
    /// The chunk delivered in reads of <paramref name="segmentSize"/> bytes into pipe segments of that size,
    /// as a socket body is read (same minimum read size rule as the client).
    /// </summary>
    public static PipeReader Segmented(byte[] body, int segmentSize) =>
        PipeReader.Create(new MemoryStream(body, writable: false), new StreamPipeReaderOptions(
            bufferSize: segmentSize,
            minimumReadSize: Math.Min(4096, segmentSize / 2),
            leaveOpen: false));

    /// <summary>
    /// The chunk as the client reads it now: a socket that delivers at most <paramref name="socketRead"/> bytes per read,
    /// moved by the client's body pump (<see cref="BodyPump"/>) into 64 KB pipe segments that the parser reads.
    /// </summary>
    public static PipeReader Pumped(byte[] body, int socketRead) =>
        BodyPump.Start(new SocketReads(body, socketRead), 64 * 1024, turn: null, long.MaxValue, CancellationToken.None, out _, Segments);

    /// <summary>
    /// Pooled page buffers kept as the client keeps them (<c>StreamPools.Pages</c>: up to 1,024 arrays per size): when a
    /// whole body has arrived before the parser runs, one call emits all of its pages before the caller returns any, more
    /// than <see cref="ArrayPool{T}.Shared"/> keeps per size. Unlike the client's (4 MB), this pool also keeps arrays
    /// of the 30 MB page, as the shared pool did in earlier runs of these benchmarks.
    /// </summary>
    private static readonly ArrayPool<byte> Pages = ArrayPool<byte>.Create(maxArrayLength: 64 * 1024 * 1024, maxArraysPerBucket: 1024);

    /// <summary>Segments reused from body to body, as a stream's <see cref="SegmentPool"/> reuses them from chunk to chunk.</summary>
    private static readonly SegmentPool Segments = new(64 * 1024, 1024);

    public static PageFields FieldsFor(PageUse use) => use == PageUse.MarkdownAndMetadata ? PageFields.Markdown | PageFields.Metadata : PageFields.All;

    public static bool PoolFor(PageUse use) => use is PageUse.RawUtf8 or PageUse.AllTypedFieldsPooled;

    /// <summary>Parses one chunk and uses every page as <paramref name="use"/> says; returns a checksum of what was read.</summary>
    public static async Task<long> ParseAsync(PipeReader body, PageUse use)
    {
        var parser = new ChunkParser(JobKind.BatchScrape, "job", 0, FieldsFor(use), PoolFor(use), MaxPageBytes, pagePool: PoolFor(use) ? Pages : null)
        {
            PageBytesPerCall = PageBytesPerCall,
        };
        var pages = new List<ScrapedPage>();
        long minimumRead = 0;
        long checksum = 0;
        while (true)
        {
            ReadResult result = minimumRead > 0
                ? await body.ReadAtLeastAsync((int)minimumRead).ConfigureAwait(false)
                : await body.ReadAsync().ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            minimumRead = parser.Parse(buffer, result.IsCompleted, pages, out SequencePosition consumed);
            ParseTicks += System.Diagnostics.Stopwatch.GetTimestamp() - t0;
            Reads++;
            BytesHanded += buffer.Length;
            BytesHandedMultiSegment += buffer.IsSingleSegment ? 0 : buffer.Length;
            body.AdvanceTo(consumed, parser.Paused ? consumed : buffer.End);
            for (int i = 0; i < pages.Count; i++)
            {
                checksum += Use(pages[i], use);
            }

            pages.Clear();
            if (result.IsCompleted && !parser.Paused)
            {
                break;
            }
        }

        await body.CompleteAsync().ConfigureAwait(false);
        LastBytesScanned = parser.BytesScanned;
        return checksum + parser.PageCount + (parser.Envelope.Next?.Length ?? 0);
    }

    public static long Use(ScrapedPage page, PageUse use)
    {
        switch (use)
        {
            case PageUse.AllTypedFields:
                return ReadAllTyped(page);
            case PageUse.AllTypedFieldsPooled:
                long all = ReadAllTyped(page);
                page.Dispose();
                return all;
            case PageUse.MarkdownAndMetadata:
                return (page.Markdown?.Length ?? 0) + ReadMetadata(page.Metadata);
            case PageUse.ParseOnly:
                return page.Utf8Length;
            case PageUse.AllFieldsTextAsUtf8:
                return ReadAllTextAsUtf8(page);
            default:
                ReadOnlySpan<byte> json = page.Utf8Json.Span;
                long raw = json.Length + json[^1];
                page.Dispose();
                return raw;
        }
    }

    /// <summary>Every typed property of a page, each decoded.</summary>
    public static long ReadAllTyped(ScrapedPage page)
    {
        long sum = page.Position;
        sum += page.Markdown?.Length ?? 0;
        sum += page.Html?.Length ?? 0;
        sum += page.RawHtml?.Length ?? 0;
        sum += page.Screenshot?.Length ?? 0;
        sum += page.Summary?.Length ?? 0;
        IReadOnlyList<string> links = page.Links;
        for (int i = 0; i < links.Count; i++)
        {
            sum += links[i].Length;
        }

        return sum + ReadMetadata(page.Metadata);
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_text;

    /// <summary>Every typed field, the text ones as UTF-8 (what a sink writing text out needs), the rest as strings.</summary>
    public static long ReadAllTextAsUtf8(ScrapedPage page)
    {
        ArrayBufferWriter<byte> text = t_text ??= new ArrayBufferWriter<byte>(1 << 20);
        long sum = page.Position;
        foreach (PageFields field in (ReadOnlySpan<PageFields>)[PageFields.Markdown, PageFields.Html, PageFields.RawHtml, PageFields.Screenshot, PageFields.Summary])
        {
            text.ResetWrittenCount();
            sum += page.TryWriteUtf8(field, text) ? text.WrittenCount : 0;
        }

        IReadOnlyList<string> links = page.Links;
        for (int i = 0; i < links.Count; i++)
        {
            sum += links[i].Length;
        }

        return sum + ReadMetadata(page.Metadata);
    }

    private static long ReadMetadata(PageMetadata metadata)
    {
        long sum = metadata.Title.Count + metadata.Description.Count + metadata.Language.Count + metadata.Keywords.Count;
        sum += (metadata.Title.First?.Length ?? 0) + (metadata.Description.First?.Length ?? 0);
        sum += metadata.SourceUrl?.Length ?? 0;
        sum += metadata.Url?.Length ?? 0;
        sum += metadata.OgLocaleAlternate.Count;
        sum += metadata.StatusCode ?? 0;
        sum += metadata.Error?.Length ?? 0;
        sum += metadata.ScrapeId?.Length ?? 0;
        return sum;
    }

    /// <summary>
    /// The ceiling: a bare <see cref="Utf8JsonReader"/> token scan over the same reads, carrying the reader
    /// state between them and, like the parser, asking for twice the bytes when one token outgrows a read.
    /// </summary>
    public static async Task<long> ScanAsync(PipeReader body)
    {
        var state = new JsonReaderState(new JsonReaderOptions { MaxDepth = 256 });
        long tokens = 0;
        long minimumRead = 0;
        while (true)
        {
            ReadResult result = minimumRead > 0
                ? await body.ReadAtLeastAsync((int)minimumRead).ConfigureAwait(false)
                : await body.ReadAsync().ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            var reader = new Utf8JsonReader(buffer, result.IsCompleted, state);
            while (reader.Read())
            {
                tokens++;
            }

            state = reader.CurrentState;
            long incomplete = buffer.Length - reader.BytesConsumed;
            minimumRead = incomplete < 64 * 1024 ? 0 : incomplete * 2;
            body.AdvanceTo(buffer.GetPosition(reader.BytesConsumed), buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await body.CompleteAsync().ConfigureAwait(false);
        return tokens;
    }
}

/// <summary>A read-only body that hands out at most a fixed number of bytes per read, as a socket does.</summary>
internal sealed class SocketReads(byte[] body, int readSize) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => body.Length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = Math.Min(Math.Min(readSize, buffer.Length), body.Length - _position);
        body.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
