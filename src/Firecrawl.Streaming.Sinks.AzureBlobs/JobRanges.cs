using System.Security.Cryptography;

namespace Firecrawl.Streaming.Sinks.AzureBlobs;

/// <summary>
/// What one job's folder held when this sink first wrote to it, read back range by range around the positions being
/// written, so that a page replayed at a shifted position lands on its stored line instead of beside it in another blob.
/// Guarded by the owning layout's lock.
/// </summary>
/// <remarks>
/// <para>A page with a scrape id is found by it in the stored range of its position or in either neighbour, and goes
/// to that range's blob. A page without one has no identity a line can show (its key holds its position, which a line
/// lacks), so a stored line without a scrape id counts only as its bytes: each such line stands for one page, and a page
/// of this run with the same bytes claims one of them (it is stored already) until none are left; then it is written.
/// Two different pages with equal bytes therefore stay two lines.</para>
/// <para>Positions that moved by more than <see cref="AzureBlobSinkOptions.PagesPerBlob"/> are not looked for, and the
/// identities of ranges far behind the pages being written are forgotten, so memory stays bounded by a few ranges.</para>
/// </remarks>
internal sealed class JobRanges
{
    // Ranges this far behind the lowest range of a write are forgotten: parallel writes reach back a little, no further.
    private const int RangesKept = 4;

    private readonly int _size;
    private readonly Dictionary<long, StoredRange> _read = [];
    private readonly HashSet<long> _forgotten = [];
    private readonly HashSet<(long Position, Guid Hash)> _placed = [];

    public JobRanges(string jobId, int pagesPerBlob, HashSet<long> stored)
    {
        JobId = jobId;
        _size = pagesPerBlob;
        Stored = stored;
    }

    public string JobId { get; }

    /// <summary>Gets the first positions of the ranges whose blobs existed when the job was first listed.</summary>
    public HashSet<long> Stored { get; }

    /// <summary>Gets the reads started so far, by first position; a failed one is removed so a later write retries it.</summary>
    public Dictionary<long, Task> Reads { get; } = [];

    public long RangeOf(long position) => position - (position % _size);

    /// <summary>The stored ranges that must be read before a page at <paramref name="position"/> is placed.</summary>
    public IEnumerable<long> RangesToRead(long position)
    {
        long range = RangeOf(position);
        foreach (long candidate in new[] { range - _size, range, range + _size })
        {
            if (candidate >= 0 && Stored.Contains(candidate) && !_forgotten.Contains(candidate))
            {
                yield return candidate;
            }
        }
    }

    public void AddRead(long first, StoredRange range) => _read[first] = range;

    /// <summary>
    /// Decides where <paramref name="page"/> (whose line is <paramref name="line"/>) goes: the first position of the range
    /// whose blob is to hold it, or null when that blob holds it already and nothing is to be written.
    /// </summary>
    public long? Place(ScrapedPage page, ReadOnlySpan<byte> line)
    {
        long range = RangeOf(page.Position);
        if (page.Metadata.ScrapeId is { Length: > 0 } scrapeId)
        {
            foreach (long candidate in (ReadOnlySpan<long>)[range, range - _size, range + _size])
            {
                if (_read.TryGetValue(candidate, out StoredRange? stored) && stored.ScrapeIds.Contains(scrapeId))
                {
                    return candidate;
                }
            }

            return range;
        }

        Guid hash = StoredRange.Hash(line);
        if (!_placed.Add((page.Position, hash)))
        {
            return null; // placed by this run already: the same position and bytes are the same page
        }

        foreach (long candidate in (ReadOnlySpan<long>)[range, range - _size, range + _size])
        {
            if (_read.TryGetValue(candidate, out StoredRange? stored) && stored.TryClaim(hash))
            {
                return null;
            }
        }

        return range;
    }

    /// <summary>Forgets the identities of ranges far behind <paramref name="lowestPosition"/>, never to read them again.</summary>
    public void ForgetBefore(long lowestPosition)
    {
        long keepFrom = RangeOf(lowestPosition) - (RangesKept * (long)_size);
        foreach (long first in _read.Keys.Where(first => first < keepFrom).ToList())
        {
            _read.Remove(first);
            _forgotten.Add(first);
        }
    }
}

/// <summary>The identities of the lines one stored batch blob held when it was read.</summary>
internal sealed class StoredRange
{
    private readonly Dictionary<Guid, int> _unclaimed = [];

    public HashSet<string> ScrapeIds { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads the identity of every line of a batch blob.</summary>
    /// <exception cref="JobStreamException">A line is not a page.</exception>
    public static StoredRange Read(ReadOnlyMemory<byte> content)
    {
        var range = new StoredRange();
        foreach (ReadOnlyMemory<byte> memory in BatchWindow.Lines(content))
        {
            ReadOnlySpan<byte> line = memory.Span;
            using ScrapedPage stored = PageParser.Parse(line);
            if (stored.Metadata.ScrapeId is { Length: > 0 } scrapeId)
            {
                range.ScrapeIds.Add(scrapeId);
            }
            else
            {
                Guid hash = Hash(line);
                range._unclaimed[hash] = range._unclaimed.GetValueOrDefault(hash) + 1;
            }
        }

        return range;
    }

    /// <summary>A line's identity when it has no scrape id: 16 bytes of the SHA-256 of its bytes (without the line break).</summary>
    public static Guid Hash(ReadOnlySpan<byte> line)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(line, hash);
        return new Guid(hash[..16]);
    }

    /// <summary>Takes one stored line with these bytes for a page of this run; false when none is left.</summary>
    public bool TryClaim(Guid hash)
    {
        if (!_unclaimed.TryGetValue(hash, out int count))
        {
            return false;
        }

        if (count == 1)
        {
            _unclaimed.Remove(hash);
        }
        else
        {
            _unclaimed[hash] = count - 1;
        }

        return true;
    }
}
