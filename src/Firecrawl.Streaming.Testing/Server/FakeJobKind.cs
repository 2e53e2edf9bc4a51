namespace Firecrawl.Streaming.Testing;

/// <summary>What started a fake job; it decides the routes the job is found under.</summary>
public enum FakeJobKind
{
    /// <summary>A batch scrape: <c>/v2/batch/scrape/{id}</c>.</summary>
    BatchScrape,

    /// <summary>A crawl: <c>/v2/crawl/{id}</c>.</summary>
    Crawl,
}
