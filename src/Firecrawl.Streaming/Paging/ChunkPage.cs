namespace Firecrawl.Streaming;

/// <summary>A page as a chunk hands it out: the page, its identity, and where it belongs when it came out of order.</summary>
/// <param name="Page">The page.</param>
/// <param name="Id">Its identity (computed once, here).</param>
/// <param name="Utf8Repaired">Whether invalid UTF-8 in it was replaced with U+FFFD.</param>
/// <param name="Neighbor">
/// For a page a retry found among pages of its chunk already handed out (the offsets moved between the attempts, so
/// it belongs before some of them): the page next to it in the listing; null for a page in order.
/// </param>
/// <param name="NeighborFollows">Whether <paramref name="Neighbor"/> comes after the page (else it comes before).</param>
internal readonly record struct ChunkPage(ScrapedPage Page, PageIdentity Id, bool Utf8Repaired, PageIdentity? Neighbor = null, bool NeighborFollows = false)
{
    /// <summary>Gets a value indicating whether the page belongs before pages already handed out.</summary>
    public bool IsLate => Neighbor is not null;
}
