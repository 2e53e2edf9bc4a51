namespace Firecrawl.Streaming;

/// <summary>The page and metadata field names that have typed accessors, classified from UTF-8 bytes.</summary>
internal static class FieldNames
{
    public static PageField ClassifyPageField(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 when name.SequenceEqual("html"u8) => PageField.Html,
        5 when name.SequenceEqual("links"u8) => PageField.Links,
        7 when name.SequenceEqual("rawHtml"u8) => PageField.RawHtml,
        7 when name.SequenceEqual("summary"u8) => PageField.Summary,
        8 when name.SequenceEqual("markdown"u8) => PageField.Markdown,
        8 when name.SequenceEqual("metadata"u8) => PageField.Metadata,
        10 when name.SequenceEqual("screenshot"u8) => PageField.Screenshot,
        _ => PageField.Other,
    };

    public static MetadataField ClassifyMetadataField(ReadOnlySpan<byte> name) => name.Length switch
    {
        3 when name.SequenceEqual("url"u8) => MetadataField.Url,
        5 when name.SequenceEqual("title"u8) => MetadataField.Title,
        5 when name.SequenceEqual("error"u8) => MetadataField.Error,
        8 when name.SequenceEqual("language"u8) => MetadataField.Language,
        8 when name.SequenceEqual("keywords"u8) => MetadataField.Keywords,
        8 when name.SequenceEqual("scrapeId"u8) => MetadataField.ScrapeId,
        9 when name.SequenceEqual("sourceURL"u8) => MetadataField.SourceUrl,
        10 when name.SequenceEqual("statusCode"u8) => MetadataField.StatusCode,
        11 when name.SequenceEqual("description"u8) => MetadataField.Description,
        17 when name.SequenceEqual("ogLocaleAlternate"u8) => MetadataField.OgLocaleAlternate,
        _ => MetadataField.Other,
    };
}
