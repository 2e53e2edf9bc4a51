using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Firecrawl.Streaming;

/// <summary>What a start answers: <c>{success, id, url, invalidURLs?}</c>, or <c>{success:false, error}</c>.</summary>
internal sealed record StartAnswer(
    [property: JsonPropertyName("success")] bool? Success,
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("invalidURLs")] IReadOnlyList<string>? InvalidUrls,
    [property: JsonPropertyName("error")] string? Error);

/// <summary>What a cancel answers: <c>{success?, status: "cancelled"}</c>.</summary>
internal sealed record CancelAnswer(
    [property: JsonPropertyName("success")] bool? Success,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("error")] string? Error);

/// <summary>
/// Serialization of the start bodies and the lifecycle answers, generated at compile time (trim and AOT safe).
/// Null properties are left out: the server rejects unknown keys and applies its own defaults to absent ones.
/// </summary>
[JsonSerializable(typeof(BatchScrapeRequest))]
[JsonSerializable(typeof(CrawlRequest))]
[JsonSerializable(typeof(PageScrapeOptions))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(StartAnswer))]
[JsonSerializable(typeof(CancelAnswer))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class JobsJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context the start bodies are written with. Minimal escaping: the body goes over HTTP, never into HTML, so
    /// <c>&amp;</c> in a query string or a non-ASCII letter in a path is written as itself rather than as a six-byte
    /// <c>\uXXXX</c>, and more URLs fit in the server's 10 MB.
    /// </summary>
    public static JobsJsonContext Bodies { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
