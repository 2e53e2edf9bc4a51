namespace Firecrawl.Streaming.Testing;

/// <summary>The size and content of generated pages.</summary>
public sealed record PageShape
{
    /// <summary>Gets the default shape: about 9 KB of markdown and HTML per page, no screenshot.</summary>
    public static PageShape Default { get; } = new();

    /// <summary>Gets the approximate length of the markdown, in characters. Default: 4000.</summary>
    public int MarkdownChars { get; init; } = 4000;

    /// <summary>Gets a value indicating whether pages carry cleaned HTML (about the markdown's size again). Default: true.</summary>
    public bool Html { get; init; } = true;

    /// <summary>Gets the size of a base64 screenshot in decoded bytes (0: none). Default: 0.</summary>
    public int ScreenshotBytes { get; init; }

    /// <summary>Gets the number of links per page. Default: 12.</summary>
    public int Links { get; init; } = 12;
}
