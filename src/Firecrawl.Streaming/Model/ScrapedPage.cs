using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Firecrawl.Streaming;

/// <summary>
/// One page of a batch-scrape or crawl job: its original JSON bytes, typed accessors that decode a field
/// only when it is first read, and its place in the job (<see cref="Position"/>, <see cref="ResumeToken"/>).
/// </summary>
/// <remarks>
/// A page is safe to read from several threads at once. Disposing it is optional: it returns the
/// page's buffer to a pool when the stream was opened with <see cref="JobStreamOptions.PoolPageBuffers"/>,
/// after which <see cref="Utf8Json"/> and fields not yet read throw <see cref="ObjectDisposedException"/>.
/// A page counts its holders: <see cref="Retain"/> adds one, <see cref="Dispose"/> releases one, and the buffer goes
/// back to the pool when the last one is released. The pipeline pools page buffers and releases each page once every
/// sink's write of it has completed, so a sink that keeps a page after its <c>WriteAsync</c> returns retains it.
/// </remarks>
public sealed partial class ScrapedPage : IDisposable
{
    private byte[]? _buffer;
    private readonly int _length;
    private readonly ArrayPool<byte>? _pool;
    private readonly PageLayout _layout;
    private string? _resumeToken;
    private string? _key;
    private Guid? _contentHash;
    private int _holders = 1;

    internal ScrapedPage(byte[] buffer, int length, ArrayPool<byte>? pool, in PageLayout layout, JobKind jobKind, string jobId, long position)
    {
        JobKind = jobKind;
        _buffer = buffer;
        _length = length;
        _pool = pool;
        _layout = layout;
        JobId = jobId;
        Position = position;
    }

    /// <summary>Gets the kind of job this page belongs to.</summary>
    public JobKind JobKind { get; }

    /// <summary>Gets the id of the job this page belongs to.</summary>
    public string JobId { get; }

    /// <summary>Gets the page's zero-based position in the job's result list (the server's offset).</summary>
    public long Position { get; }

    /// <summary>
    /// Gets an opaque token that marks this page; a stream started with
    /// <see cref="JobStreamOptions.ResumeAfter"/> set to it yields exactly the pages after this one, in delivery order
    /// (for a page found by looking back after the server's offsets moved, the pages after those already delivered).
    /// </summary>
    public string ResumeToken => _resumeToken ??= FormatResumeToken();

    /// <summary>
    /// Gets the page's JSON object as UTF-8 bytes, exactly as the server sent it
    /// (only the selected fields when the stream was opened with a <see cref="PageFields"/> selection), and always valid
    /// UTF-8: a stream replaces invalid UTF-8 inside the page's strings with U+FFFD and counts the page in
    /// <see cref="JobCoverage.Utf8Repaired"/>, so what a sink writes out byte for byte is valid too.
    /// </summary>
    public ReadOnlyMemory<byte> Utf8Json => new(Buffer, 0, _length);

    /// <summary>Gets the length of <see cref="Utf8Json"/> in bytes.</summary>
    public int Utf8Length => _length;

    /// <summary>
    /// Gets the page's identity within its job, which every sink keys by: <c>metadata.scrapeId</c> when present
    /// (whatever fields were selected), otherwise <c>"p{Position}-{hash}"</c> with 16 hex digits of the SHA-256 of
    /// <see cref="Utf8Json"/>. The fallback never merges two different pages (they differ in position or bytes)
    /// and never splits a page served twice at the same offset.
    /// </summary>
    public string Key => _key ??= Metadata.ScrapeId is { Length: > 0 } id ? id : FallbackKey();

    /// <summary>Gets the URL of the page: <c>metadata.url</c> (the final URL), else <c>metadata.sourceURL</c>.</summary>
    public string? Url => Metadata.Url ?? Metadata.SourceUrl;

    /// <summary>Writes <see cref="Utf8Json"/> to <paramref name="writer"/> without building strings.</summary>
    /// <param name="writer">The destination.</param>
    public void WriteTo(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Utf8Json.Span);
    }

    /// <summary>Returns the page's JSON as a detached <see cref="JsonElement"/>.</summary>
    /// <returns>The element.</returns>
    public JsonElement ToJsonElement()
    {
        using JsonDocument document = JsonDocument.Parse(Utf8Json);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// Keeps the page valid until a matching <see cref="Dispose"/>: for a sink that holds on to a page after its
    /// <c>WriteAsync</c> returned (the pipeline releases its own hold then), or any code that shares a page.
    /// </summary>
    /// <returns>This page.</returns>
    /// <exception cref="ObjectDisposedException">The page was released already.</exception>
    public ScrapedPage Retain()
    {
        int holders = Volatile.Read(ref _holders);
        while (true)
        {
            if (holders <= 0)
            {
                ThrowDisposed();
            }

            int seen = Interlocked.CompareExchange(ref _holders, holders + 1, holders);
            if (seen == holders)
            {
                return this;
            }

            holders = seen;
        }
    }

    /// <summary>Releases one hold on the page; the last one returns the page's buffer to its pool, if it came from one.</summary>
    public void Dispose()
    {
        int holders = Volatile.Read(ref _holders);
        while (true)
        {
            if (holders <= 0)
            {
                return; // released already: disposing twice is harmless
            }

            int seen = Interlocked.CompareExchange(ref _holders, holders - 1, holders);
            if (seen == holders)
            {
                break;
            }

            holders = seen;
        }

        if (holders > 1)
        {
            return;
        }

        byte[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null && _pool is not null)
        {
            _pool.Return(buffer);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"ScrapedPage #{Position} {Url}";

    internal byte[] Buffer => _buffer ?? ThrowDisposed();

    /// <summary>Adds holds for the pipeline: one per sink that will be handed the page, each released after its write.</summary>
    internal void AddHolders(int count) => Interlocked.Add(ref _holders, count);

    internal ReadOnlySpan<byte> Slice(ValueRange range) => range.IsPresent ? Buffer.AsSpan(range.Start, range.Length) : default;

    internal ref readonly PageLayout Layout => ref _layout;

    /// <summary>
    /// Sets the token of a page delivered out of listing order (found by looking back after the server's offsets moved):
    /// resuming after it must continue after the pages already delivered, not after its own offset.
    /// </summary>
    internal void SetResumeToken(string token) => _resumeToken = token;

    /// <summary>
    /// The first 128 bits of the SHA-256 of <see cref="Utf8Json"/>, computed once: the identity of a page without a scrape
    /// id, for the stream (which compares it across offsets) and, with the position, for sinks (<see cref="Key"/>).
    /// </summary>
    internal Guid ContentHash => _contentHash ??= HashContent();

    private Guid HashContent()
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Utf8Json.Span, hash);
        return new Guid(hash[..16]);
    }

    /// <summary>
    /// The token straight from the scrape id's bytes when it holds no escape (the ids Firecrawl sends never do): the
    /// pipeline asks every page for its token, and going through <see cref="Metadata"/> would allocate the metadata
    /// object and the id's string for each page only to encode them back to UTF-8.
    /// </summary>
    private string FormatResumeToken()
    {
        ReadOnlySpan<byte> id = Slice(_layout[MetadataField.ScrapeId]);
        return id.Length >= 2 && id[0] == (byte)'"' && id[1..^1].IndexOf((byte)'\\') < 0
            ? Streaming.ResumeToken.Format(JobKind, JobId, Position, id[1..^1])
            : Streaming.ResumeToken.Format(JobKind, JobId, Position, Metadata.ScrapeId);
    }

    private string FallbackKey()
    {
        Span<byte> hash = stackalloc byte[16];
        ContentHash.TryWriteBytes(hash);
        return string.Create(CultureInfo.InvariantCulture, $"p{Position}-{Convert.ToHexStringLower(hash[..8])}");
    }

    [DoesNotReturn]
    private byte[] ThrowDisposed() =>
        throw new ObjectDisposedException(nameof(ScrapedPage), "The page was disposed and its buffer returned to the pool.");

    /// <summary>The scrape id as a <see cref="Guid"/> without allocating, for de-duplication.</summary>
    internal bool TryGetScrapeIdGuid(out Guid id)
    {
        ReadOnlySpan<byte> value = Slice(_layout[MetadataField.ScrapeId]);
        id = default;
        return value.Length == 38 && Utf8Parser.TryParse(value[1..^1], out id, out int consumed) && consumed == 36;
    }
}
