using System.Text.Json;

namespace Firecrawl.Streaming;

/// <summary>
/// A page's <c>metadata</c> object: typed accessors for the keys Firecrawl defines, and every other
/// key (<c>og:title</c>, <c>twitter:card</c>, <c>viewport</c> ...) through <see cref="TryGetValue"/> and <see cref="Properties"/>.
/// </summary>
public sealed class PageMetadata
{
    private static readonly IReadOnlyDictionary<string, JsonElement> s_empty = new Dictionary<string, JsonElement>();

    private readonly ScrapedPage _page;
    private MetadataText? _title, _description, _language, _keywords;
    private string? _sourceUrl, _url, _error, _scrapeId;
    private IReadOnlyList<string>? _ogLocaleAlternate;
    private int? _statusCode;
    private bool _statusCodeRead;
    private IReadOnlyDictionary<string, JsonElement>? _properties;

    internal PageMetadata(ScrapedPage page) => _page = page;

    /// <summary>Gets the page title (a string, or an array of strings when the tag repeats).</summary>
    public MetadataText Title => _title ??= Text(MetadataField.Title);

    /// <summary>Gets the page description.</summary>
    public MetadataText Description => _description ??= Text(MetadataField.Description);

    /// <summary>Gets the page language.</summary>
    public MetadataText Language => _language ??= Text(MetadataField.Language);

    /// <summary>Gets the page keywords.</summary>
    public MetadataText Keywords => _keywords ??= Text(MetadataField.Keywords);

    /// <summary>Gets the requested URL (<c>sourceURL</c>).</summary>
    public string? SourceUrl => _sourceUrl ??= String(MetadataField.SourceUrl);

    /// <summary>Gets the final URL after redirects (<c>url</c>).</summary>
    public string? Url => _url ??= String(MetadataField.Url);

    /// <summary>Gets the alternate locales (<c>ogLocaleAlternate</c>); empty when absent.</summary>
    public IReadOnlyList<string> OgLocaleAlternate =>
        _ogLocaleAlternate ??= JsonValueDecoder.GetStringArray(_page.Slice(_page.Layout[MetadataField.OgLocaleAlternate]));

    /// <summary>Gets the HTTP status of the scraped page (sent as a number, or as a string holding one).</summary>
    public int? StatusCode
    {
        get
        {
            if (!_statusCodeRead)
            {
                _statusCode = JsonValueDecoder.GetInt32(_page.Slice(_page.Layout[MetadataField.StatusCode]));
                _statusCodeRead = true;
            }

            return _statusCode;
        }
    }

    /// <summary>Gets the error the scrape of this page reported, or <see langword="null"/>.</summary>
    public string? Error => _error ??= String(MetadataField.Error);

    /// <summary>Gets the id that identifies the page within its job (<c>scrapeId</c>).</summary>
    public string? ScrapeId => _scrapeId ??= String(MetadataField.ScrapeId);

    /// <summary>Gets the number of PDF pages parsed (<c>numPages</c>, capped by the parser's <c>maxPages</c>); a number or a string holding one.</summary>
    public int? NumPages => ElementValues.Int32(ElementValues.Present(Properties, "numPages"));

    /// <summary>Gets the PDF's true page count (<c>totalPages</c>); larger than <see cref="NumPages"/> when the output was truncated.</summary>
    public int? TotalPages => ElementValues.Int32(ElementValues.Present(Properties, "totalPages"));

    /// <summary>Gets whether the scrape waited for the team's concurrency limit (<c>concurrencyLimited</c>).</summary>
    public bool? ConcurrencyLimited => ElementValues.Boolean(ElementValues.Present(Properties, "concurrencyLimited"));

    /// <summary>Gets the metadata object's JSON as UTF-8 bytes (empty when the page has no metadata).</summary>
    public ReadOnlyMemory<byte> Utf8Json
    {
        get
        {
            ValueRange range = _page.Layout[PageField.Metadata];
            return range.IsPresent ? new ReadOnlyMemory<byte>(_page.Buffer, range.Start, range.Length) : default;
        }
    }

    /// <summary>Gets every metadata key with its value, kept losslessly (last one wins for a repeated key).</summary>
    public IReadOnlyDictionary<string, JsonElement> Properties => _properties ??= DecodeProperties();

    /// <summary>Gets the value of any metadata key.</summary>
    /// <param name="key">The key, e.g. <c>"og:image"</c>.</param>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> when the key is present.</returns>
    public bool TryGetValue(string key, out JsonElement value) => Properties.TryGetValue(key, out value);

    private MetadataText Text(MetadataField field) => JsonValueDecoder.GetMetadataText(_page.Slice(_page.Layout[field]));

    private string? String(MetadataField field)
    {
        ReadOnlySpan<byte> value = _page.Slice(_page.Layout[field]);
        return value.IsEmpty || value[0] == (byte)'"' ? JsonValueDecoder.GetString(value) : JsonValueDecoder.GetMetadataText(value);
    }

    private IReadOnlyDictionary<string, JsonElement> DecodeProperties()
    {
        ReadOnlyMemory<byte> json = Utf8Json;
        if (json.IsEmpty || json.Span[0] != (byte)'{')
        {
            return s_empty;
        }

        using JsonDocument document = JsonDocument.Parse(json);
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            result[property.Name] = property.Value.Clone();
        }

        return result;
    }
}
