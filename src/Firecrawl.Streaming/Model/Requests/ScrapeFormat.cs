using System.Text.Json;
using System.Text.Json.Serialization;

namespace Firecrawl.Streaming;

/// <summary>
/// One entry of <see cref="PageScrapeOptions.Formats"/>: a format named by a string (<c>"markdown"</c>), or a format
/// object with options (<c>{"type":"json","schema":{...},"prompt":"..."}</c>). A string converts implicitly, so
/// <c>Formats = ["markdown", "links", ScrapeFormat.Json(schema)]</c> works.
/// </summary>
[JsonConverter(typeof(ScrapeFormatJsonConverter))]
public sealed class ScrapeFormat
{
    private ScrapeFormat(string type, JsonElement? value)
    {
        Type = type;
        Value = value;
    }

    /// <summary>Gets the page as Markdown (<c>markdown</c>).</summary>
    public static ScrapeFormat Markdown { get; } = new("markdown", null);

    /// <summary>Gets the cleaned HTML (<c>html</c>).</summary>
    public static ScrapeFormat Html { get; } = new("html", null);

    /// <summary>Gets the HTML exactly as received (<c>rawHtml</c>).</summary>
    public static ScrapeFormat RawHtml { get; } = new("rawHtml", null);

    /// <summary>Gets the links on the page (<c>links</c>).</summary>
    public static ScrapeFormat Links { get; } = new("links", null);

    /// <summary>Gets the images on the page (<c>images</c>).</summary>
    public static ScrapeFormat Images { get; } = new("images", null);

    /// <summary>Gets a screenshot of the viewport (<c>screenshot</c>); use <see cref="FromJson"/> for a full-page one.</summary>
    public static ScrapeFormat Screenshot { get; } = new("screenshot", null);

    /// <summary>Gets a summary of the page (<c>summary</c>).</summary>
    public static ScrapeFormat Summary { get; } = new("summary", null);

    /// <summary>Gets the format's type, e.g. <c>markdown</c> or <c>json</c>.</summary>
    public string Type { get; }

    /// <summary>Gets the format object when the format carries options; null when it is sent as a plain string.</summary>
    public JsonElement? Value { get; }

    /// <summary>Converts a format name to a format sent as that string.</summary>
    /// <param name="type">The format's name, e.g. <c>"markdown"</c>.</param>
    public static implicit operator ScrapeFormat(string type) => FromString(type);

    /// <summary>A format sent as its name, for formats without options (<c>"branding"</c>, <c>"audio"</c> ...).</summary>
    /// <param name="type">The format's name.</param>
    /// <returns>The format.</returns>
    /// <exception cref="ArgumentException"><paramref name="type"/> is empty.</exception>
    public static ScrapeFormat FromString(string type)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        return new ScrapeFormat(type, null);
    }

    /// <summary>
    /// Structured extraction (<c>{"type":"json","schema":...,"prompt":...}</c>); the result arrives as
    /// <see cref="ScrapedPage.Json"/>.
    /// </summary>
    /// <param name="schema">The JSON Schema the output must follow, or null to let the prompt decide.</param>
    /// <param name="prompt">What to extract, or null.</param>
    /// <returns>The format.</returns>
    public static ScrapeFormat Json(JsonElement? schema, string? prompt = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "json");
            if (schema is JsonElement value)
            {
                writer.WritePropertyName("schema");
                value.WriteTo(writer);
            }

            if (prompt is not null)
            {
                writer.WriteString("prompt", prompt);
            }

            writer.WriteEndObject();
        }

        using JsonDocument document = JsonDocument.Parse(buffer.ToArray());
        return new ScrapeFormat("json", document.RootElement.Clone());
    }

    /// <summary>
    /// Any documented format, as JSON: a string, or an object with a <c>type</c> (for example
    /// <c>{"type":"screenshot","fullPage":true}</c> or <c>{"type":"changeTracking","modes":["git-diff"]}</c>).
    /// </summary>
    /// <param name="format">The format.</param>
    /// <returns>The format.</returns>
    /// <exception cref="ArgumentException"><paramref name="format"/> is neither a string nor an object with a string <c>type</c>.</exception>
    public static ScrapeFormat FromJson(JsonElement format)
    {
        if (format.ValueKind == JsonValueKind.String)
        {
            return FromString(format.GetString()!);
        }

        if (format.ValueKind == JsonValueKind.Object && format.TryGetProperty("type", out JsonElement type)
            && type.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(type.GetString()))
        {
            return new ScrapeFormat(type.GetString()!, format.Clone());
        }

        throw new ArgumentException("A format is a string or an object with a string \"type\".", nameof(format));
    }

    /// <inheritdoc/>
    public override string ToString() => Value is JsonElement value ? value.GetRawText() : Type;
}

/// <summary>Writes a <see cref="ScrapeFormat"/> as its name or its object, and reads either back.</summary>
internal sealed class ScrapeFormatJsonConverter : JsonConverter<ScrapeFormat>
{
    public override ScrapeFormat Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using JsonDocument document = JsonDocument.ParseValue(ref reader);
        try
        {
            return ScrapeFormat.FromJson(document.RootElement);
        }
        catch (ArgumentException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, ScrapeFormat value, JsonSerializerOptions options)
    {
        if (value.Value is JsonElement format)
        {
            format.WriteTo(writer);
        }
        else
        {
            writer.WriteStringValue(value.Type);
        }
    }
}
