using System.Text.Json.Serialization;

namespace Firecrawl.Streaming;

/// <summary>
/// The body of <c>POST /v2/batch/scrape</c>. Null properties are left out of the request, so the server's default
/// (named on each property) applies.
/// </summary>
/// <remarks>
/// The body may be at most 10,000,000 bytes of JSON: a longer list is refused before anything is sent, and must be
/// split into several batch scrapes by the caller.
/// </remarks>
public sealed record BatchScrapeRequest
{
    /// <summary>Gets the URLs to scrape: absolute <c>http</c> or <c>https</c> URLs, at least one.</summary>
    [JsonPropertyName("urls")]
    public required IReadOnlyList<string> Urls { get; init; }

    /// <summary>Gets how each page is scraped; its fields are written into the body itself, beside <c>urls</c>. Default: the server's.</summary>
    [JsonIgnore] // Flattened into the body by the request writer.
    public PageScrapeOptions? ScrapeOptions { get; init; }

    /// <summary>Gets where the job's events are posted. Default: none.</summary>
    [JsonPropertyName("webhook")]
    public JobWebhook? Webhook { get; init; }

    /// <summary>Gets the most pages scraped at once for this job. Server default: the team's concurrency limit.</summary>
    [JsonPropertyName("maxConcurrency")]
    public int? MaxConcurrency { get; init; }

    /// <summary>
    /// Gets whether invalid URLs are skipped (and listed in <see cref="StartedJob.InvalidUrls"/>) rather than failing
    /// the start. When false, the client checks the URLs itself and refuses the request before sending it. Server default: true.
    /// </summary>
    [JsonPropertyName("ignoreInvalidURLs")]
    public bool? IgnoreInvalidUrls { get; init; }

    /// <summary>Gets whether Firecrawl keeps no data of the job (must be enabled for the team). Server default: false.</summary>
    [JsonPropertyName("zeroDataRetention")]
    public bool? ZeroDataRetention { get; init; }
}
