namespace Firecrawl.Streaming;

/// <summary>
/// Selects which fields of each page are kept. Fields that are not selected are skipped by the
/// parser without being materialized, and are left out of <see cref="ScrapedPage.Utf8Json"/>.
/// </summary>
[Flags]
#pragma warning disable CA1711 // "Fields" is the domain word here, not a suffix convention.
public enum PageFields
#pragma warning restore CA1711
{
    /// <summary>No field is kept; the page is an empty object (its position and resume token remain).</summary>
    None = 0,

    /// <summary>The <c>markdown</c> field.</summary>
    Markdown = 1 << 0,

    /// <summary>The <c>html</c> field.</summary>
    Html = 1 << 1,

    /// <summary>The <c>rawHtml</c> field.</summary>
    RawHtml = 1 << 2,

    /// <summary>The <c>links</c> field.</summary>
    Links = 1 << 3,

    /// <summary>The <c>screenshot</c> field (often a large base64 string).</summary>
    Screenshot = 1 << 4,

    /// <summary>The <c>summary</c> field.</summary>
    Summary = 1 << 5,

    /// <summary>The <c>metadata</c> object.</summary>
    Metadata = 1 << 6,

    /// <summary>Every other page field (<c>images</c>, <c>json</c>, <c>actions</c>, <c>warning</c>, fields added later ...).</summary>
    Other = 1 << 7,

    /// <summary>Every field, byte for byte as the server sent it. The default.</summary>
    All = Markdown | Html | RawHtml | Links | Screenshot | Summary | Metadata | Other,
}
