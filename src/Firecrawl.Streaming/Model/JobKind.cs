namespace Firecrawl.Streaming;

/// <summary>The kinds of Firecrawl job whose pages can be streamed; both share one status shape and one cursor rule.</summary>
public enum JobKind
{
    /// <summary>A batch scrape: <c>/v2/batch/scrape/{id}</c>.</summary>
    BatchScrape = 0,

    /// <summary>A crawl: <c>/v2/crawl/{id}</c>.</summary>
    Crawl = 1,
}
