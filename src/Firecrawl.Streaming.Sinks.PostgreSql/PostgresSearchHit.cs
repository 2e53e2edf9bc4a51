namespace Firecrawl.Streaming.Sinks.PostgreSql;

/// <summary>One page found by <see cref="PostgresPageIndex.SearchAsync"/>.</summary>
public sealed class PostgresSearchHit
{
    /// <summary>Creates a hit.</summary>
    /// <param name="key">The page's <see cref="ScrapedPage.Key"/> (the table's <c>scrape_id</c>).</param>
    /// <param name="url">The page URL, or null.</param>
    /// <param name="title">The page title, or null.</param>
    /// <param name="rank">The <c>ts_rank</c> of the page for the query.</param>
    /// <param name="snippet">The passage with the matched terms highlighted.</param>
    /// <param name="statusCode">The HTTP status of the page, or null.</param>
    public PostgresSearchHit(string key, string? url, string? title, float rank, string snippet, int? statusCode)
    {
        Key = key;
        Url = url;
        Title = title;
        Rank = rank;
        Snippet = snippet;
        StatusCode = statusCode;
    }

    /// <summary>Gets the page's <see cref="ScrapedPage.Key"/>.</summary>
    public string Key { get; }

    /// <summary>Gets the page URL, or null when it had none.</summary>
    public string? Url { get; }

    /// <summary>Gets the page title, or null when it had none.</summary>
    public string? Title { get; }

    /// <summary>Gets the <c>ts_rank</c> of the page (title matches weigh most, then description, then Markdown); hits come best first.</summary>
    public float Rank { get; }

    /// <summary>
    /// Gets a short passage (<c>ts_headline</c> over the Markdown, else the description, else the title) with the
    /// matched terms between <see cref="PostgresPageIndex.HighlightStart"/> and <see cref="PostgresPageIndex.HighlightStop"/>.
    /// </summary>
    public string Snippet { get; }

    /// <summary>Gets the HTTP status of the scraped page, or null.</summary>
    public int? StatusCode { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Rank:0.###} {Url} {Title}";
}
