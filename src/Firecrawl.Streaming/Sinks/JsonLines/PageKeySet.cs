using System.Security.Cryptography;

namespace Firecrawl.Streaming.Sinks;

/// <summary>
/// The pages a JSON Lines file holds, by the rule of <see cref="ScrapedPage.Key"/>, for skipping pages written before.
/// </summary>
/// <remarks>
/// <para>A page with a scrape id is that id (kept as a 16-byte <see cref="Guid"/> when it is one, as it is in practice).</para>
/// <para>A page without one is its position and a hash of its line. The position is not in the line, so a line read
/// back from the file is only a hash: the file is taken to hold, for each hash, as many distinct pages as it has lines
/// with that hash. A page of this run whose hash has such an unclaimed line claims one (it is stored already, so it is
/// skipped); once they are used up, a page with that hash is written. Two different pages with equal bytes thus stay two
/// lines, and a page replayed after a crash, even at a shifted position, is recognised. Within a run, a page is known by
/// its position and hash, as its key is.</para>
/// </remarks>
internal sealed class PageKeySet
{
    private readonly HashSet<Guid> _scrapeIds = [];
    private readonly Dictionary<Guid, int> _unclaimedLines = [];
    private readonly HashSet<(long Position, Guid Hash)> _positioned = [];
    private HashSet<string>? _otherIds;

    /// <summary>The identity of <paramref name="page"/>, whose line is <paramref name="line"/>.</summary>
    public static LineKey Identify(ScrapedPage page, ReadOnlySpan<byte> line)
    {
        if (page.TryGetScrapeIdGuid(out Guid id))
        {
            return new LineKey(id, null, IsHash: false, Position: 0);
        }

        if (page.Metadata.ScrapeId is { Length: > 0 } other)
        {
            return new LineKey(default, other, IsHash: false, Position: 0);
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(line, hash);
        return new LineKey(new Guid(hash[..16]), null, IsHash: true, page.Position);
    }

    /// <summary>Records a line read back from the file, whose position (of a page without a scrape id) is unknown.</summary>
    public void AddStored(in LineKey identity)
    {
        if (!identity.IsHash)
        {
            Add(identity);
            return;
        }

        _unclaimedLines[identity.Id] = _unclaimedLines.GetValueOrDefault(identity.Id) + 1;
    }

    /// <summary>Adds the identity of a page to write; false when the file holds the page already.</summary>
    public bool Add(in LineKey identity)
    {
        switch (identity)
        {
            case { Other: { } other }:
                return (_otherIds ??= new HashSet<string>(StringComparer.Ordinal)).Add(other);
            case { IsHash: true }:
                if (!_positioned.Add((identity.Position, identity.Id)))
                {
                    return false;
                }

                if (_unclaimedLines.TryGetValue(identity.Id, out int unclaimed))
                {
                    // One of the stored lines with these bytes is this page: claim it instead of writing another.
                    if (unclaimed == 1)
                    {
                        _unclaimedLines.Remove(identity.Id);
                    }
                    else
                    {
                        _unclaimedLines[identity.Id] = unclaimed - 1;
                    }

                    return false;
                }

                return true;
            default:
                return _scrapeIds.Add(identity.Id);
        }
    }

    /// <summary>Forgets the identity of a page whose write failed (it was new, so it claimed no stored line).</summary>
    public void Remove(in LineKey identity)
    {
        switch (identity)
        {
            case { Other: { } other }:
                _otherIds?.Remove(other);
                break;
            case { IsHash: true }:
                _positioned.Remove((identity.Position, identity.Id));
                break;
            default:
                _scrapeIds.Remove(identity.Id);
                break;
        }
    }
}

/// <summary>
/// A page's identity in a <see cref="PageKeySet"/>: a scrape id as a Guid or as <see cref="Other"/> text, or, for a page
/// without one (<see cref="IsHash"/>), a hash of its line as a Guid and its <see cref="Position"/> (meaningless for a
/// line read back from a file).
/// </summary>
internal readonly record struct LineKey(Guid Id, string? Other, bool IsHash, long Position);
