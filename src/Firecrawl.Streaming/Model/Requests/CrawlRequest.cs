using System.Text.Json.Serialization;

namespace Firecrawl.Streaming;

/// <summary>
/// The body of <c>POST /v2/crawl</c>. Null properties are left out of the request, so the server's default (named
/// on each property) applies.
/// </summary>
public sealed record CrawlRequest
{
    /// <summary>Gets the URL the crawl starts from: an absolute <c>http</c> or <c>https</c> URL.</summary>
    [JsonPropertyName("url")]
    public required string Url { get; init; }

    /// <summary>Gets a natural-language description the server turns into crawl options; explicit options win. Default: none.</summary>
    [JsonPropertyName("prompt")]
    public string? Prompt { get; init; }

    /// <summary>Gets the most pages crawled. Server default: 10,000 (lowered to the credits left).</summary>
    [JsonPropertyName("limit")]
    public int? Limit { get; init; }

    /// <summary>Gets path regular expressions a URL must match to be crawled. Default: all paths.</summary>
    [JsonPropertyName("includePaths")]
    public IReadOnlyList<string>? IncludePaths { get; init; }

    /// <summary>Gets path regular expressions that exclude a URL. Default: none.</summary>
    [JsonPropertyName("excludePaths")]
    public IReadOnlyList<string>? ExcludePaths { get; init; }

    /// <summary>Gets the deepest discovery depth followed (the start URL and sitemap pages are depth 0). Default: unlimited.</summary>
    [JsonPropertyName("maxDiscoveryDepth")]
    public int? MaxDiscoveryDepth { get; init; }

    /// <summary>Gets how the sitemap is used: <c>include</c>, <c>skip</c> or <c>only</c>. Server default: <c>include</c>.</summary>
    [JsonPropertyName("sitemap")]
    public string? Sitemap { get; init; }

    /// <summary>Gets whether URLs differing only in their query are crawled once. Server default: false.</summary>
    [JsonPropertyName("ignoreQueryParameters")]
    public bool? IgnoreQueryParameters { get; init; }

    /// <summary>Gets whether the path patterns are matched against the full URL, query included. Server default: false.</summary>
    [JsonPropertyName("regexOnFullURL")]
    public bool? RegexOnFullUrl { get; init; }

    /// <summary>Gets whether sibling and parent paths are followed, not only children of the start URL. Server default: false.</summary>
    [JsonPropertyName("crawlEntireDomain")]
    public bool? CrawlEntireDomain { get; init; }

    /// <summary>Gets whether links to other sites are followed (one hop). Server default: false.</summary>
    [JsonPropertyName("allowExternalLinks")]
    public bool? AllowExternalLinks { get; init; }

    /// <summary>Gets whether subdomains of the start URL's domain are followed. Server default: false.</summary>
    [JsonPropertyName("allowSubdomains")]
    public bool? AllowSubdomains { get; init; }

    /// <summary>Gets whether robots.txt is ignored (enterprise plans only). Server default: false.</summary>
    [JsonPropertyName("ignoreRobotsTxt")]
    public bool? IgnoreRobotsTxt { get; init; }

    /// <summary>Gets the user agent robots.txt rules are evaluated for. Default: Firecrawl's.</summary>
    [JsonPropertyName("robotsUserAgent")]
    public string? RobotsUserAgent { get; init; }

    /// <summary>Gets the wait between scrapes, in seconds; setting it forces a concurrency of 1. Default: none.</summary>
    [JsonPropertyName("delay")]
    public double? Delay { get; init; }

    /// <summary>Gets the most pages scraped at once for this crawl. Server default: the team's concurrency limit.</summary>
    [JsonPropertyName("maxConcurrency")]
    public int? MaxConcurrency { get; init; }

    /// <summary>Gets how each page is scraped, sent as the nested <c>scrapeOptions</c> object. Default: the server's.</summary>
    [JsonIgnore] // Written by the request writer, which also checks AdditionalProperties for repeated keys.
    public PageScrapeOptions? ScrapeOptions { get; init; }

    /// <summary>Gets where the crawl's events are posted. Default: none.</summary>
    [JsonPropertyName("webhook")]
    public JobWebhook? Webhook { get; init; }

    /// <summary>Gets whether Firecrawl keeps no data of the crawl (must be enabled for the team). Server default: false.</summary>
    [JsonPropertyName("zeroDataRetention")]
    public bool? ZeroDataRetention { get; init; }
}
