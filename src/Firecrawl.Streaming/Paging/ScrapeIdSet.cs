namespace Firecrawl.Streaming;

/// <summary>
/// The identities already delivered, for dropping pages that a shifting offset serves twice. Scrape ids are UUIDs in
/// practice and kept as 16-byte <see cref="Guid"/>s; anything else (other ids, the fallback <see cref="ScrapedPage.Key"/>
/// of a page without one) as strings.
/// </summary>
internal sealed class ScrapeIdSet
{
    private readonly HashSet<Guid> _guids = [];
    private HashSet<string>? _others;

    /// <summary>Adds the page's identity; false when it was already there.</summary>
    public bool Add(ScrapedPage page) =>
        page.TryGetScrapeIdGuid(out Guid guid) ? _guids.Add(guid) : (_others ??= new HashSet<string>(StringComparer.Ordinal)).Add(page.Key);

    /// <summary>Whether the page's identity is already there.</summary>
    public bool Contains(ScrapedPage page) =>
        page.TryGetScrapeIdGuid(out Guid guid) ? _guids.Contains(guid) : _others?.Contains(page.Key) == true;

    /// <summary>Gets the number of identities held.</summary>
    public int Count => _guids.Count + (_others?.Count ?? 0);
}
