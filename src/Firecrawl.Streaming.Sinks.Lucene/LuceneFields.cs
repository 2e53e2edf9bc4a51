namespace Firecrawl.Streaming.Sinks.Lucene;

/// <summary>
/// The names of the fields <see cref="LuceneIndexSink"/> writes, for queries that name a field
/// (<c>title:pricing</c>, <c>statusCode:[400 TO 499]</c>) and for code that reads the index directly.
/// </summary>
public static class LuceneFields
{
    /// <summary>
    /// The upsert key, indexed as one exact term and stored: the page's <see cref="ScrapedPage.Url"/>, or its
    /// <see cref="ScrapedPage.Key"/> when the page has no URL.
    /// </summary>
    public const string Url = "url";

    /// <summary>The page's <see cref="ScrapedPage.Key"/>, indexed as one exact term and stored.</summary>
    public const string Key = "key";

    /// <summary>The page's <c>metadata.scrapeId</c>, stored only (absent when the page has none).</summary>
    public const string ScrapeId = "scrapeId";

    /// <summary>The id of the batch job the page came from, indexed as one exact term and stored.</summary>
    public const string JobId = "jobId";

    /// <summary>The page title, analyzed for full-text search and stored.</summary>
    public const string Title = "title";

    /// <summary>The page description, analyzed for full-text search and stored.</summary>
    public const string Description = "description";

    /// <summary>The page as Markdown, analyzed for full-text search; stored unless <see cref="LuceneIndexSinkOptions.StoreMarkdown"/> is off.</summary>
    public const string Markdown = "markdown";

    /// <summary>The HTTP status of the scraped page, indexed as a number (range queries work) and stored.</summary>
    public const string StatusCode = "statusCode";

    /// <summary>The page's position in its job, indexed as a number and stored.</summary>
    public const string Position = "position";

    /// <summary>The page language (<c>metadata.language</c>), indexed as one exact term and stored.</summary>
    public const string Language = "language";

    /// <summary>The commit user-data key that records which analyzer built the index, so searches analyze queries alike.</summary>
    internal const string AnalyzerCommitKey = "firecrawl.analyzer";
}
