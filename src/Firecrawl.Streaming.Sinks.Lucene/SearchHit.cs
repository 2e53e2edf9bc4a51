namespace Firecrawl.Streaming.Sinks.Lucene;

/// <summary>One result of <see cref="LuceneIndex.Search"/>.</summary>
/// <param name="Url">The page URL.</param>
/// <param name="Title">The page title.</param>
/// <param name="Score">The relevance score (higher is better).</param>
/// <param name="Snippet">A fragment of the page with the query's terms marked (see <see cref="LuceneIndex.HighlightPre"/>).</param>
/// <param name="StatusCode">The HTTP status of the scraped page, when known.</param>
public sealed record SearchHit(string Url, string Title, float Score, string Snippet, int? StatusCode);
