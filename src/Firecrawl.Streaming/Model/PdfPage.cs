namespace Firecrawl.Streaming;

/// <summary>One physical page of a PDF, as listed in a page's <c>pages</c> field (requested with the <c>pages</c> option of the PDF parser).</summary>
/// <param name="PageNumber">The 1-based physical page number, or null when the server sent none.</param>
/// <param name="Markdown">The page's Markdown, or null.</param>
public sealed record PdfPage(int? PageNumber, string? Markdown);
