using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Firecrawl.Streaming;

/// <summary>
/// Typed views of documented page fields that have no place in the parser's layout (<c>json</c>, <c>pages</c>,
/// <c>actions</c>, <c>changeTracking</c>, <c>warning</c>). Each is read from <see cref="AdditionalProperties"/>, which
/// still holds it losslessly; the page's JSON is decoded once, on the first read of any of them.
/// </summary>
public sealed partial class ScrapedPage
{
    private IReadOnlyList<PdfPage>? _pdfPages;

    /// <summary>
    /// Gets the structured extraction output (the <c>json</c> format), or null when the page has none.
    /// Use <see cref="DeserializeJson{T}"/> to bind it to a type.
    /// </summary>
    public JsonElement? Json => ElementValues.Present(AdditionalProperties, "json");

    /// <summary>Gets the per-page Markdown of a PDF (<c>pages</c>); empty when absent.</summary>
    public IReadOnlyList<PdfPage> Pages => _pdfPages ??= DecodePdfPages();

    /// <summary>Gets the results of the request's <c>actions</c> (screenshots, scrapes, JavaScript returns, PDFs), or null.</summary>
    public JsonElement? Actions => ElementValues.Present(AdditionalProperties, "actions");

    /// <summary>Gets the comparison with the previous scrape (the <c>changeTracking</c> format), or null.</summary>
    public JsonElement? ChangeTracking => ElementValues.Present(AdditionalProperties, "changeTracking");

    /// <summary>Gets the page's warning (an extraction problem, say), or null.</summary>
    public string? Warning => ElementValues.String(ElementValues.Present(AdditionalProperties, "warning"));

    /// <summary>
    /// Binds <see cref="Json"/> to <typeparamref name="T"/> with source-generated metadata (trim and AOT safe),
    /// e.g. <c>page.DeserializeJson(MyJsonContext.Default.Product)</c>.
    /// </summary>
    /// <typeparam name="T">The type of the extraction output.</typeparam>
    /// <param name="typeInfo">The metadata of <typeparamref name="T"/>, from a <c>JsonSerializerContext</c>.</param>
    /// <returns>The value, or <see langword="default"/> when the page has no <c>json</c>.</returns>
    /// <exception cref="JsonException">The output does not fit <typeparamref name="T"/>.</exception>
    public T? DeserializeJson<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return Json is JsonElement json ? json.Deserialize(typeInfo) : default;
    }

    private PdfPage[] DecodePdfPages()
    {
        if (ElementValues.Present(AdditionalProperties, "pages") is not { ValueKind: JsonValueKind.Array } pages)
        {
            return [];
        }

        var result = new List<PdfPage>(pages.GetArrayLength());
        foreach (JsonElement item in pages.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object)
            {
                result.Add(new PdfPage(
                    ElementValues.Int32(item.TryGetProperty("pageNumber", out JsonElement number) ? number : null),
                    ElementValues.String(item.TryGetProperty("markdown", out JsonElement markdown) ? markdown : null)));
            }
        }

        return [.. result];
    }
}
