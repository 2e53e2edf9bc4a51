using System.Security.Cryptography;

namespace Firecrawl.Streaming.Sinks;

/// <summary>
/// The pages a JSON Lines file holds, for skipping pages written before. A page is known by its scrape id (kept
/// as a 16-byte <see cref="Guid"/> when it is one, as it is in practice) or, when it has none, by a hash of its line:
/// its position (the other half of <see cref="ScrapedPage.Key"/>) is not in the line, and the same page replayed
/// has the same bytes.
/// </summary>
internal sealed class PageKeySet
{
    private readonly HashSet<Guid> _scrapeIds = [];
    private readonly HashSet<Guid> _lineHashes = [];
    private HashSet<string>? _otherIds;

    public int Count => _scrapeIds.Count + _lineHashes.Count + (_otherIds?.Count ?? 0);

    /// <summary>The identity of <paramref name="page"/>, whose line is <paramref name="line"/>.</summary>
    public static PageIdentity Identify(ScrapedPage page, ReadOnlySpan<byte> line)
    {
        if (page.TryGetScrapeIdGuid(out Guid id))
        {
            return new PageIdentity(id, null, IsHash: false);
        }

        if (page.Metadata.ScrapeId is { Length: > 0 } other)
        {
            return new PageIdentity(default, other, IsHash: false);
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(line, hash);
        return new PageIdentity(new Guid(hash[..16]), null, IsHash: true);
    }

    /// <summary>Adds the identity; false when it was there already.</summary>
    public bool Add(in PageIdentity identity) => identity switch
    {
        { Other: { } other } => (_otherIds ??= new HashSet<string>(StringComparer.Ordinal)).Add(other),
        { IsHash: true } => _lineHashes.Add(identity.Id),
        _ => _scrapeIds.Add(identity.Id),
    };

    /// <summary>Forgets the identity (the write that added it failed).</summary>
    public void Remove(in PageIdentity identity)
    {
        switch (identity)
        {
            case { Other: { } other }:
                _otherIds?.Remove(other);
                break;
            case { IsHash: true }:
                _lineHashes.Remove(identity.Id);
                break;
            default:
                _scrapeIds.Remove(identity.Id);
                break;
        }
    }
}

/// <summary>A page's identity in a <see cref="PageKeySet"/>: a scrape id or line hash as a Guid, or another scrape id.</summary>
internal readonly record struct PageIdentity(Guid Id, string? Other, bool IsHash);
