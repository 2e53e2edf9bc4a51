using System.Buffers;
using System.Globalization;
using Azure;

namespace Firecrawl.Streaming.Sinks.AzureBlobs;

/// <summary>
/// The pages of one JSON Lines batch blob (one range of job positions), keyed by <see cref="ScrapedPage.Key"/> so a
/// page written again replaces its line instead of adding one. Guarded by the owning layout's lock, except
/// <see cref="UploadGate"/>, which keeps two uploads of the same blob from overlapping.
/// </summary>
internal sealed class BatchWindow
{
    private readonly Dictionary<string, Line> _lines = new(StringComparer.Ordinal);

    public BatchWindow(string blobName, string jobId, long first)
    {
        BlobName = blobName;
        JobId = jobId;
        First = first;
    }

    public string BlobName { get; }

    public string JobId { get; }

    /// <summary>Gets the first position of the window's range.</summary>
    public long First { get; }

    public SemaphoreSlim UploadGate { get; } = new(1, 1);

    public int Count => _lines.Count;

    /// <summary>Gets the number of changes so far; an upload clears <see cref="Dirty"/> only if none came in meanwhile.</summary>
    public long Version { get; private set; }

    public bool Dirty { get; private set; }

    /// <summary>
    /// Gets or sets the ETag of the blob as this window last wrote or read it; null while this window has not seen
    /// the blob, whose upload must then not overwrite one an earlier run (or an evicted window) left.
    /// </summary>
    public ETag? ETag { get; set; }

    /// <summary>Adds or replaces the line of <paramref name="page"/>; <paramref name="line"/> is <see cref="ToLine"/> of it.</summary>
    public void Put(ScrapedPage page, byte[] line)
    {
        _lines[page.Key] = new Line(page.Position, line);
        Version++;
        Dirty = true;
    }

    /// <summary>
    /// Adds the lines of the stored blob whose keys this window lacks; lines held here are newer and win. A stored line
    /// with a scrape id has that key. One without is kept as a line of its own: the layout placed a page without a scrape
    /// id here only when no stored line with its bytes was left to claim (see <see cref="JobRanges"/>), so it is never
    /// one of these. A stored line sorts as if it were at the window's first position plus its line number, which is exact
    /// for a blob filled in job order, and lines keep their order either way.
    /// </summary>
    /// <exception cref="JobStreamException">A stored line is not a page.</exception>
    public void MergeStored(ReadOnlyMemory<byte> content)
    {
        long order = First;
        foreach (ReadOnlyMemory<byte> memory in Lines(content))
        {
            ReadOnlySpan<byte> line = memory.Span;
            using ScrapedPage stored = PageParser.Parse(line);
            string key = stored.Metadata.ScrapeId is { Length: > 0 } scrapeId
                ? scrapeId
                : string.Create(CultureInfo.InvariantCulture, $"\0stored:{order}");
            if (!_lines.ContainsKey(key))
            {
                byte[] copy = new byte[line.Length + 1];
                line.CopyTo(copy);
                copy[^1] = (byte)'\n';
                _lines[key] = new Line(order, copy);
            }

            order++;
        }

        Version++;
        Dirty = true;
    }

    /// <summary>The non-blank lines of a batch blob, without their line breaks.</summary>
    public static IEnumerable<ReadOnlyMemory<byte>> Lines(ReadOnlyMemory<byte> content)
    {
        while (!content.IsEmpty)
        {
            int end = content.Span.IndexOf((byte)'\n');
            ReadOnlyMemory<byte> line = end < 0 ? content : content[..end];
            content = end < 0 ? default : content[(end + 1)..];
            if (!line.Span.Trim(" \t\r"u8).IsEmpty)
            {
                yield return line;
            }
        }
    }

    /// <summary>Builds the blob content: one line per page, ordered by position, and the version it reflects.</summary>
    public (BinaryData Content, long Version) Snapshot()
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (KeyValuePair<string, Line> entry in _lines.OrderBy(e => e.Value.Order).ThenBy(e => e.Key, StringComparer.Ordinal))
        {
            buffer.Write(entry.Value.Bytes);
        }

        return (new BinaryData(buffer.WrittenMemory), Version);
    }

    public void MarkUploaded(long version)
    {
        if (Version == version)
        {
            Dirty = false;
        }
    }

    /// <summary>
    /// The page's JSON as one line. Server JSON holds no raw line breaks (strings escape them); should a page be
    /// pretty-printed, its line breaks can only be whitespace between tokens, so they become spaces.
    /// </summary>
    public static byte[] ToLine(ReadOnlySpan<byte> json)
    {
        byte[] line = new byte[json.Length + 1];
        json.CopyTo(line);
        line.AsSpan(0, json.Length).Replace((byte)'\n', (byte)' ');
        line.AsSpan(0, json.Length).Replace((byte)'\r', (byte)' ');
        line[^1] = (byte)'\n';
        return line;
    }

    private readonly record struct Line(long Order, byte[] Bytes);
}
