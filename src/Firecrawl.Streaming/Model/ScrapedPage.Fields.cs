using System.Text.Json;

namespace Firecrawl.Streaming;

/// <summary>Typed, lazily decoded page fields.</summary>
public sealed partial class ScrapedPage
{
    private static readonly IReadOnlyDictionary<string, JsonElement> s_noProperties = new Dictionary<string, JsonElement>();

    // Decoded once on first read. Races are benign: both threads decode the same immutable value.
    private string? _markdown, _html, _rawHtml, _screenshot, _summary;
    private IReadOnlyList<string>? _links;
    private PageMetadata? _metadata;
    private IReadOnlyDictionary<string, JsonElement>? _additional;

    /// <summary>Gets the page as Markdown, or <see langword="null"/>.</summary>
    public string? Markdown => _markdown ??= DecodeString(PageField.Markdown);

    /// <summary>Gets the cleaned HTML, or <see langword="null"/>.</summary>
    public string? Html => _html ??= DecodeString(PageField.Html);

    /// <summary>Gets the raw HTML, or <see langword="null"/>.</summary>
    public string? RawHtml => _rawHtml ??= DecodeString(PageField.RawHtml);

    /// <summary>Gets the screenshot (a URL or base64 data), or <see langword="null"/>.</summary>
    public string? Screenshot => _screenshot ??= DecodeString(PageField.Screenshot);

    /// <summary>Gets the summary, or <see langword="null"/>.</summary>
    public string? Summary => _summary ??= DecodeString(PageField.Summary);

    /// <summary>Gets the links on the page (empty when absent).</summary>
    public IReadOnlyList<string> Links => _links ??= JsonValueDecoder.GetStringArray(Slice(_layout[PageField.Links]));

    /// <summary>Gets the page's metadata (empty when absent).</summary>
    public PageMetadata Metadata => _metadata ??= new PageMetadata(this);

    /// <summary>
    /// Gets every page field that has no typed accessor (<c>images</c>, <c>json</c>, <c>actions</c>, fields
    /// added later ...), kept losslessly.
    /// </summary>
    public IReadOnlyDictionary<string, JsonElement> AdditionalProperties => _additional ??= DecodeAdditional();

    /// <summary>Gets a value indicating whether the page has the given field with a non-null value.</summary>
    /// <param name="name">The field's JSON name, e.g. <c>"markdown"</c>.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool HasField(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        PageField field = FieldNames.ClassifyPageField(System.Text.Encoding.UTF8.GetBytes(name));
        if (field != PageField.Other)
        {
            ReadOnlySpan<byte> value = Slice(_layout[field]);
            return !value.IsEmpty && value[0] != (byte)'n';
        }

        return AdditionalProperties.TryGetValue(name, out JsonElement element) && element.ValueKind != JsonValueKind.Null;
    }

    private string? DecodeString(PageField field) => JsonValueDecoder.GetString(Slice(_layout[field]));

    private IReadOnlyDictionary<string, JsonElement> DecodeAdditional()
    {
        if (!_layout.HasOther)
        {
            return s_noProperties;
        }

        using JsonDocument document = JsonDocument.Parse(Utf8Json);
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            if (FieldNames.ClassifyPageField(System.Text.Encoding.UTF8.GetBytes(property.Name)) == PageField.Other)
            {
                // Last one wins for a repeated name, as JsonSerializer does.
                result[property.Name] = property.Value.Clone();
            }
        }

        return result;
    }
}
