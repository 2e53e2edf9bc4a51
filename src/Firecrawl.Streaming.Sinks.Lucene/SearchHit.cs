namespace Firecrawl.Streaming.Sinks.Lucene;

/// <summary>One page found by <see cref="LuceneIndex.Search"/>.</summary>
public sealed class SearchHit
{
    /// <summary>Creates a hit.</summary>
    /// <param name="url">The page URL (its key when it had none).</param>
    /// <param name="key">The page key.</param>
    /// <param name="title">The page title, or null.</param>
    /// <param name="score">The relevance score.</param>
    /// <param name="snippet">The snippet with highlighted terms.</param>
    /// <param name="statusCode">The HTTP status of the page, or null.</param>
    public SearchHit(string url, string key, string? title, float score, string snippet, int? statusCode)
    {
        Url = url;
        Key = key;
        Title = title;
        Score = score;
        Snippet = snippet;
        StatusCode = statusCode;
    }

    /// <summary>Gets the page URL, or the page's <see cref="ScrapedPage.Key"/> when it had no URL.</summary>
    public string Url { get; }

    /// <summary>Gets the page's <see cref="ScrapedPage.Key"/>.</summary>
    public string Key { get; }

    /// <summary>Gets the page title, or null when it had none.</summary>
    public string? Title { get; }

    /// <summary>Gets the relevance score; hits come best first. Scores compare only within one search.</summary>
    public float Score { get; }

    /// <summary>
    /// Gets a short passage of the page (from the Markdown, else the description, else the title) on one line, with
    /// matched terms between <see cref="LuceneSearchOptions.HighlightPreTag"/> and <see cref="LuceneSearchOptions.HighlightPostTag"/>.
    /// Empty when the page has no text to show.
    /// </summary>
    public string Snippet { get; }

    /// <summary>Gets the HTTP status of the scraped page, or null.</summary>
    public int? StatusCode { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Score:0.###} {Url} {Title}";
}
