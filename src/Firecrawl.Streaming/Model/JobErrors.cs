using System.Text.Json.Serialization;

namespace Firecrawl.Streaming;

/// <summary>The failed scrapes of a batch job (<c>GET /v2/batch/scrape/{id}/errors</c>).</summary>
/// <param name="Errors">The URLs that failed, with the reason.</param>
/// <param name="RobotsBlocked">The URLs robots.txt did not allow.</param>
public sealed record JobErrors(
    [property: JsonPropertyName("errors")] IReadOnlyList<ScrapeFailure> Errors,
    [property: JsonPropertyName("robotsBlocked")] IReadOnlyList<string> RobotsBlocked);

/// <summary>One URL of a batch job that failed to scrape.</summary>
/// <param name="Id">The scrape id.</param>
/// <param name="Timestamp">When it failed, as the server wrote it.</param>
/// <param name="Url">The URL.</param>
/// <param name="Code">The error code, when there is one.</param>
/// <param name="Error">The error message.</param>
public sealed record ScrapeFailure(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("timestamp")] string? Timestamp,
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("code")] string? Code,
    [property: JsonPropertyName("error")] string? Error);

/// <summary>
/// The errors response as sent: the lists may be missing, and a job that failed to start answers 200 with
/// <c>success: false</c> and an <c>error</c>, which <see cref="JobErrors"/> has no room for.
/// </summary>
internal sealed record JobErrorsBody(
    [property: JsonPropertyName("errors")] IReadOnlyList<ScrapeFailure>? Errors,
    [property: JsonPropertyName("robotsBlocked")] IReadOnlyList<string>? RobotsBlocked,
    [property: JsonPropertyName("success")] bool? Success,
    [property: JsonPropertyName("error")] string? Error);

[JsonSerializable(typeof(JobErrors))]
[JsonSerializable(typeof(JobErrorsBody))]
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString)]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
