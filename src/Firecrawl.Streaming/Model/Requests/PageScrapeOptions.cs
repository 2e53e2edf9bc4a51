using System.Text.Json;
using System.Text.Json.Serialization;

namespace Firecrawl.Streaming;

/// <summary>
/// How each page of a job is scraped (the <c>ScrapeOptions</c> of the v2 API): flattened into a batch scrape's
/// body, nested as a crawl's <c>scrapeOptions</c>. Every property defaults to null, which leaves it out of the
/// request so that the server's default applies (the default named on each property).
/// </summary>
public sealed record PageScrapeOptions
{
    /// <summary>
    /// Gets the outputs wanted per page, e.g. <c>["markdown", "links", ScrapeFormat.Json(schema)]</c>.
    /// Server default: <c>["markdown"]</c>.
    /// </summary>
    [JsonPropertyName("formats")]
    public IList<ScrapeFormat>? Formats { get; init; }

    /// <summary>Gets whether headers, navigation and footers are left out. Server default: true.</summary>
    [JsonPropertyName("onlyMainContent")]
    public bool? OnlyMainContent { get; init; }

    /// <summary>Gets the tags (or selectors) to keep. Server default: all.</summary>
    [JsonPropertyName("includeTags")]
    public IReadOnlyList<string>? IncludeTags { get; init; }

    /// <summary>Gets the tags (or selectors) to remove. Server default: none.</summary>
    [JsonPropertyName("excludeTags")]
    public IReadOnlyList<string>? ExcludeTags { get; init; }

    /// <summary>Gets an extra wait before the content is read, in milliseconds. Server default: 0.</summary>
    [JsonPropertyName("waitFor")]
    public int? WaitFor { get; init; }

    /// <summary>Gets the time limit of one page's scrape, in milliseconds (1,000 to 300,000). Server default: 60,000.</summary>
    [JsonPropertyName("timeout")]
    public int? Timeout { get; init; }

    /// <summary>Gets whether a mobile device is emulated. Server default: false.</summary>
    [JsonPropertyName("mobile")]
    public bool? Mobile { get; init; }

    /// <summary>Gets the age, in milliseconds, below which a cached copy of a page is used. Server default: 172,800,000 (2 days).</summary>
    [JsonPropertyName("maxAge")]
    public long? MaxAge { get; init; }

    /// <summary>Gets headers sent to the scraped sites (cookies, user agent ...). Server default: none.</summary>
    [JsonPropertyName("headers")]
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Gets the proxy type: <c>basic</c>, <c>enhanced</c> or <c>auto</c>. Server default: <c>auto</c>.</summary>
    [JsonPropertyName("proxy")]
    public string? Proxy { get; init; }

    /// <summary>Gets whether ads and cookie pop-ups are blocked. Server default: true.</summary>
    [JsonPropertyName("blockAds")]
    public bool? BlockAds { get; init; }

    /// <summary>
    /// Gets documented scrape options that have no property here (<c>actions</c>, <c>location</c>, <c>parsers</c>,
    /// <c>onlyCleanContent</c>, <c>storeInCache</c> ...), by their JSON name, written into the same object as the
    /// properties above. The server rejects unknown keys, and a key that repeats a property or a field of the
    /// request is refused before sending. Fill it in an object initializer
    /// (<c>AdditionalProperties = { ["location"] = ... }</c>); a copy made with <c>with</c> shares the dictionary. Default: empty.
    /// </summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement> AdditionalProperties { get; } = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
}
