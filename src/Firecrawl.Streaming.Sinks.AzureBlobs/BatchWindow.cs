using System.Buffers;
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

    public void Put(ScrapedPage page)
    {
        _lines[page.Key] = new Line(page.Position, ToLine(page.Utf8Json.Span));
        Version++;
        Dirty = true;
    }

    /// <summary>
    /// Adds the lines of the stored blob whose keys this window lacks; lines held here are newer and win. A stored line
    /// sorts as if it were at the window's first position plus its line number, which is exact for a blob filled in job
    /// order, and lines keep their order either way.
    /// </summary>
    public void MergeStored(ReadOnlySpan<byte> content)
    {
        long order = First;
        while (!content.IsEmpty)
        {
            int end = content.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = end < 0 ? content : content[..end];
            content = end < 0 ? default : content[(end + 1)..];
            if (line.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            using ScrapedPage stored = PageParser.Parse(line);
            string key = stored.Key;
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
    private static byte[] ToLine(ReadOnlySpan<byte> json)
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
