using Firecrawl.Streaming.Pipeline;
using System.Buffers;

namespace Firecrawl.Streaming.Sinks;

/// <summary>
/// Writes pages to a JSON Lines file: one page per line, each the page's JSON exactly as the server sent it
/// (<see cref="ScrapedPage.Utf8Json"/>), optionally gzip-compressed.
/// </summary>
/// <remarks>
/// <para><b>Exactly once.</b> Opening an existing file reads it once: the keys of the pages it holds are kept (as
/// 16-byte ids) and pages arriving again are skipped; a last line or gzip member that a crash left unfinished (or a
/// tail of zeros a power cut left) is cut off first, since no flush can have covered it. A batch whose write failed is
/// cut off the same way before the next write. The same holds for a gzip file, which is a series of self-delimiting
/// gzip members, one per batch, that any gzip reader reads as one stream.</para>
/// <para><b>Identity.</b> Pages are told apart by the rule of <see cref="ScrapedPage.Key"/>: the scrape id, else the
/// position and a hash of the bytes. A line holds no position, so a line without a scrape id is read back as its hash
/// only, and the file counts as holding as many distinct pages with those bytes as it has such lines: a page without a
/// scrape id is skipped while an unclaimed line with its bytes remains (a replay, even at a shifted position), and
/// written once they are used up. Two different pages with equal bytes are thus two lines, never merged
/// into one.</para>
/// <para><b>Durability.</b> <see cref="FlushAsync"/> flushes the file to disk (<c>fsync</c>).</para>
/// <para><b>Lines.</b> JSON from the server holds no raw line breaks (strings escape them); should a page's JSON be
/// pretty-printed, its line breaks, which can only be whitespace between tokens, are written as spaces.</para>
/// <para>The path <c>"-"</c> writes to standard output. On a stream the sink skips only pages written during its own
/// lifetime, and a failed write cannot be undone unless the stream can seek.</para>
/// <para>Several writes may be issued at once; the sink serializes them, so with parallel writes the lines
/// follow the order in which the writes arrive rather than strict job order.</para>
/// <para>Opening reads the whole existing file once and keeps about 20 bytes per page it holds.</para>
/// </remarks>
public sealed partial class JsonLinesSink : IPageSink
{
    private readonly JsonLinesSinkOptions _options;
    private readonly bool _gzip;
    private readonly bool _leaveOpen;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly PageKeySet _keys = new();
    private readonly PooledLineBuffer _lines = new(64 * 1024);
    private readonly MemoryStream? _member;
    private readonly List<LineKey> _batchKeys = [];
    private Stream? _stream;
    private long _goodLength;
    private bool _damaged;
    private bool _disposed;

    /// <summary>Creates a sink that writes to a file (created with its directory if missing), or to standard output for <c>"-"</c>.</summary>
    /// <param name="path">The file; a name ending in <c>.gz</c> is gzip-compressed unless <see cref="JsonLinesSinkOptions.Gzip"/> says otherwise.</param>
    /// <param name="options">The options; null for the defaults.</param>
    public JsonLinesSink(string path, JsonLinesSinkOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _options = options ?? new JsonLinesSinkOptions();
        _options.Validate();
        Name = "jsonl:" + path;
        if (path == "-")
        {
            _gzip = _options.Gzip ?? false;
        }
        else
        {
            Path = System.IO.Path.GetFullPath(path);
            _gzip = _options.Gzip ?? path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        }

        _member = _gzip ? new MemoryStream() : null;
    }

    /// <summary>Creates a sink that writes to a stream (standard output, a pipe, a network stream).</summary>
    /// <param name="stream">The stream; it must be writable.</param>
    /// <param name="options">The options (<see cref="JsonLinesSinkOptions.Gzip"/> null means uncompressed); null for the defaults.</param>
    /// <param name="leaveOpen">Whether the stream stays open when the sink is disposed.</param>
    /// <param name="name">The sink's name; default <c>"jsonl:stream"</c>.</param>
    public JsonLinesSink(Stream stream, JsonLinesSinkOptions? options = null, bool leaveOpen = false, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream is not writable.", nameof(stream));
        }

        _options = options ?? new JsonLinesSinkOptions();
        _options.Validate();
        Name = name ?? "jsonl:stream";
        _gzip = _options.Gzip ?? false;
        _member = _gzip ? new MemoryStream() : null;
        _stream = stream;
        _leaveOpen = leaveOpen;
        _goodLength = stream.CanSeek ? stream.Position : 0;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets the full path of the file, or null when the sink writes to a stream.</summary>
    public string? Path { get; }

    /// <summary>Gets the number of pages skipped because the file held them already (or they came twice).</summary>
    public long PagesSkipped { get; private set; }

    /// <summary>Gets the number of bytes cut off the end of the file when it was opened (a line or member a crash left torn).</summary>
    public long BytesRecovered { get; private set; }

    /// <inheritdoc/>
    public async ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pages);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Stream stream = _stream ?? await OpenAsync(cancellationToken).ConfigureAwait(false);
            if (_damaged)
            {
                Undo(stream);
            }

            ReadOnlyMemory<byte> bytes = Encode(pages);
            if (bytes.IsEmpty)
            {
                return;
            }

            _damaged = true;
            try
            {
                await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                foreach (LineKey key in _batchKeys)
                {
                    _keys.Remove(key);
                }

                throw;
            }

            _damaged = false;
            _goodLength += bytes.Length;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Stream stream = _stream ?? await OpenAsync(cancellationToken).ConfigureAwait(false);
            if (stream is FileStream file)
            {
                file.Flush(flushToDisk: true);
            }
            else
            {
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _lines.Dispose();
            if (_stream is not null && !_leaveOpen)
            {
                await _stream.DisposeAsync().ConfigureAwait(false);
            }
            else if (_stream is not null)
            {
                await _stream.FlushAsync().ConfigureAwait(false);
            }

            _member?.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>
    /// Turns the pages not written before into lines (or one gzip member of lines), noting their keys in
    /// <see cref="_batchKeys"/> so that a failed write can forget them again.
    /// </summary>
    private ReadOnlyMemory<byte> Encode(IReadOnlyList<ScrapedPage> pages)
    {
        _lines.ResetWrittenCount();
        _batchKeys.Clear();
        foreach (ScrapedPage page in pages)
        {
            ReadOnlySpan<byte> json = page.Utf8Json.Span;
            Span<byte> line = _lines.GetSpan(json.Length + 1)[..(json.Length + 1)];
            json.CopyTo(line);
            if (json.IndexOfAny((byte)'\n', (byte)'\r') >= 0)
            {
                line[..json.Length].Replace((byte)'\n', (byte)' ');
                line[..json.Length].Replace((byte)'\r', (byte)' ');
            }

            line[^1] = (byte)'\n';
            LineKey key = PageKeySet.Identify(page, line[..^1]);
            if (!_keys.Add(key))
            {
                PagesSkipped++;
                continue;
            }

            _batchKeys.Add(key);
            _lines.Advance(line.Length);
        }

        if (_lines.WrittenCount == 0 || _member is null)
        {
            return _lines.WrittenMemory;
        }

        GzipMember.Write(_lines.WrittenSpan, _member, _options.CompressionLevel);
        return new ReadOnlyMemory<byte>(_member.GetBuffer(), 0, (int)_member.Length);
    }

    /// <summary>Cuts off what a failed write may have left, so that no torn line precedes the next one.</summary>
    private void Undo(Stream stream)
    {
        if (!stream.CanSeek)
        {
            // Nothing can be taken back from a pipe, and a torn line or member would corrupt what follows it.
            throw new IOException($"An earlier write to {Name} failed part-way, and the stream cannot seek to take it back.");
        }

        stream.SetLength(_goodLength);
        stream.Position = _goodLength;
        _damaged = false;
    }
}
