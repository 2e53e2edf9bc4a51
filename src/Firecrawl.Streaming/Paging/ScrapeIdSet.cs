namespace Firecrawl.Streaming;

/// <summary>
/// The scrape ids already delivered, for dropping pages that a shifting offset serves twice.
/// Ids are UUIDs in practice and kept as 16-byte <see cref="Guid"/>s; anything else as strings.
/// </summary>
internal sealed class ScrapeIdSet
{
    private readonly HashSet<Guid> _guids = [];
    private HashSet<string>? _others;

    /// <summary>Adds the page's id; false when it was already there. Pages without an id are never duplicates.</summary>
    public bool Add(ScrapedPage page)
    {
        if (page.TryGetScrapeIdGuid(out Guid guid))
        {
            return _guids.Add(guid);
        }

        string? id = page.Metadata.ScrapeId;
        return id is null || (_others ??= new HashSet<string>(StringComparer.Ordinal)).Add(id);
    }
}
