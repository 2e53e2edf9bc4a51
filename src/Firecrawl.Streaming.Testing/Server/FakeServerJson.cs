using System.Text.Json.Serialization;

namespace Firecrawl.Streaming.Testing;

// The server's JSON answers, serialized by a source-generated context: no reflection, so the kit trims and runs
// under Native AOT (a sample publishes it that way).

internal sealed record ErrorAnswer(bool Success, string? Error);

internal sealed record FailedStatusAnswer(bool Success, string Status, string? Error);

internal sealed record CancelAnswer(bool Success, string Status);

internal sealed record StartAnswer(bool Success, string Id, string Url)
{
    [JsonPropertyName("invalidURLs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? InvalidUrls { get; init; }
}

internal sealed record ErrorEntry(string Id, string Timestamp, string Url, string? Code, string Error);

internal sealed record ErrorsAnswer(IEnumerable<ErrorEntry> Errors, IReadOnlyList<string> RobotsBlocked);

/// <summary>The <c>data</c> of a failed-page webhook event: the page's URL and status, nothing scraped.</summary>
internal sealed record FailedPageStub(FailedPageMetadata Metadata);

internal sealed record FailedPageMetadata([property: JsonPropertyName("sourceURL")] string SourceUrl, int StatusCode);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ErrorAnswer))]
[JsonSerializable(typeof(FailedStatusAnswer))]
[JsonSerializable(typeof(CancelAnswer))]
[JsonSerializable(typeof(StartAnswer))]
[JsonSerializable(typeof(ErrorsAnswer))]
[JsonSerializable(typeof(FailedPageStub))]
[JsonSerializable(typeof(string))]
internal sealed partial class FakeServerJsonContext : JsonSerializerContext;
