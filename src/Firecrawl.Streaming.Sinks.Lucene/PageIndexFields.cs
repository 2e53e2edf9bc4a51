namespace Firecrawl.Streaming.Sinks.Lucene;

/// <summary>The names of the fields a page becomes in the index.</summary>
public static class PageIndexFields
{
    /// <summary>The page URL (its final URL, else the requested one; else the page key): the upsert key, stored, not analyzed.</summary>
    public const string Url = "url";

    /// <summary>The page key (<see cref="ScrapedPage.Key"/>), stored.</summary>
    public const string Key = "key";

    /// <summary>The title, analyzed and stored.</summary>
    public const string Title = "title";

    /// <summary>The description, analyzed and stored.</summary>
    public const string Description = "description";

    /// <summary>The markdown, analyzed (and stored unless the sink's options say otherwise).</summary>
    public const string Markdown = "markdown";

    /// <summary>The HTTP status of the scraped page, as an int field (stored, filterable with a numeric range query).</summary>
    public const string StatusCode = "statusCode";

    /// <summary>The page's position in its job, stored.</summary>
    public const string Position = "position";

    /// <summary>The job id, stored, not analyzed.</summary>
    public const string JobId = "jobId";
}
