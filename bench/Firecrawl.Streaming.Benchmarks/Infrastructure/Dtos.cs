using System.Text.Json;
using System.Text.Json.Serialization;

namespace Firecrawl.Streaming.Benchmarks.Infrastructure;

/// <summary>
/// What a typical client deserializes a batch status response into: the documented top-level fields and a
/// list of documents whose metadata is an open-ended dictionary (as the official SDKs model it: keys such as
/// <c>og:title</c> vary by site, and <c>title</c> may be a string or an array).
/// </summary>
public sealed class BatchStatusDto
{
    public string? Status { get; set; }
    public long Total { get; set; }
    public long Completed { get; set; }
    public long CreditsUsed { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public string? Next { get; set; }
    public List<DocumentDto>? Data { get; set; }
}

public sealed class DocumentDto
{
    public string? Markdown { get; set; }
    public string? Html { get; set; }
    public string? RawHtml { get; set; }
    public string? Screenshot { get; set; }
    public string? Summary { get; set; }
    public List<string>? Links { get; set; }
    public Dictionary<string, JsonElement>? Metadata { get; set; }

    /// <summary>Fields without a property (images, json, actions ...), kept as the SDKs keep them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>
/// The leanest DTO a careful client could write: only the fields the library has typed accessors for,
/// string-or-array values read into arrays by a small converter, every other key skipped.
/// It keeps less than the streaming parser does (unknown keys are dropped), so it is the stricter comparator.
/// </summary>
public sealed class StrictBatchStatusDto
{
    public string? Status { get; set; }
    public long Total { get; set; }
    public long Completed { get; set; }
    public long CreditsUsed { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public string? Next { get; set; }
    public List<StrictDocumentDto>? Data { get; set; }
}

public sealed class StrictDocumentDto
{
    public string? Markdown { get; set; }
    public string? Html { get; set; }
    public string? RawHtml { get; set; }
    public string? Screenshot { get; set; }
    public string? Summary { get; set; }
    public List<string>? Links { get; set; }
    public StrictMetadataDto? Metadata { get; set; }
}

public sealed class StrictMetadataDto
{
    [JsonConverter(typeof(StringOrArrayConverter))]
    public string[]? Title { get; set; }

    [JsonConverter(typeof(StringOrArrayConverter))]
    public string[]? Description { get; set; }

    [JsonConverter(typeof(StringOrArrayConverter))]
    public string[]? Language { get; set; }

    [JsonConverter(typeof(StringOrArrayConverter))]
    public string[]? Keywords { get; set; }

    [JsonPropertyName("sourceURL")]
    public string? SourceUrl { get; set; }

    public string? Url { get; set; }
    public List<string>? OgLocaleAlternate { get; set; }
    public int? StatusCode { get; set; }
    public string? Error { get; set; }
    public string? ScrapeId { get; set; }
}

/// <summary>Reads a string or an array of strings (a repeated meta tag) as an array.</summary>
public sealed class StringOrArrayConverter : JsonConverter<string[]>
{
    public override string[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return [reader.GetString()!];
            case JsonTokenType.StartArray:
                var items = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : reader.TokenType.ToString());
                }

                return [.. items];
            default:
                throw new JsonException($"expected a string or an array, got {reader.TokenType}");
        }
    }

    public override void Write(Utf8JsonWriter writer, string[] value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, options);
}

public static class DtoJson
{
    /// <summary>The web defaults (camelCase, case-insensitive names, numbers in strings), cached like a client caches them.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
