using System.Runtime.CompilerServices;

namespace Firecrawl.Streaming;

/// <summary>The page fields the parser knows by name; everything else is <see cref="Other"/>.</summary>
internal enum PageField : byte
{
    Other = 0,
    Markdown,
    Html,
    RawHtml,
    Links,
    Screenshot,
    Summary,
    Metadata,
}

/// <summary>The metadata keys that have typed accessors; everything else stays in the raw JSON.</summary>
internal enum MetadataField : byte
{
    Other = 0,
    Title,
    Description,
    Language,
    Keywords,
    SourceUrl,
    Url,
    OgLocaleAlternate,
    StatusCode,
    Error,
    ScrapeId,
}

/// <summary>
/// Where a JSON value sits in a page's buffer: offset and length of the value's bytes
/// (quotes included for strings). A zero length means the field is absent.
/// </summary>
internal readonly record struct ValueRange(int Start, int Length)
{
    public bool IsPresent => Length > 0;

    public ValueRange Shift(int delta) => IsPresent ? new ValueRange(Start + delta, Length) : this;
}

[InlineArray(8)]
internal struct PageRanges
{
    private ValueRange _element;
}

[InlineArray(11)]
internal struct MetadataRanges
{
    private ValueRange _element;
}

/// <summary>
/// The structure of one page, recorded while its tokens stream past, so that typed accessors
/// can decode a field later without scanning the page again. Small enough to live inline in
/// <see cref="ScrapedPage"/>.
/// </summary>
internal struct PageLayout
{
    public PageRanges Fields;
    public MetadataRanges Metadata;

    /// <summary>Whether the page has fields without a typed accessor.</summary>
    public bool HasOther;

    public readonly ValueRange this[PageField field] => Fields[(int)field];

    public readonly ValueRange this[MetadataField field] => Metadata[(int)field];

    public void Set(PageField field, ValueRange range) => Fields[(int)field] = range;

    public void Set(MetadataField field, ValueRange range) => Metadata[(int)field] = range;

    /// <summary>Moves every metadata range by <paramref name="delta"/> bytes (the metadata object moved in the buffer).</summary>
    public void ShiftMetadata(int delta)
    {
        for (int i = 0; i < 11; i++)
        {
            Metadata[i] = Metadata[i].Shift(delta);
        }
    }
}
