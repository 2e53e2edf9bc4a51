using System.Buffers;

namespace Firecrawl.Streaming;

/// <summary>Text fields as UTF-8, for writers that would only encode the string back.</summary>
public sealed partial class ScrapedPage
{
    /// <summary>
    /// Writes the text of a string field (<see cref="Markdown"/>, <see cref="Html"/>, <see cref="RawHtml"/>,
    /// <see cref="Screenshot"/> or <see cref="Summary"/>) to <paramref name="destination"/> as UTF-8, unescaped
    /// straight from the page's JSON, without building the string: the same bytes as encoding the property's value
    /// with <see cref="System.Text.Encoding.UTF8"/>, allocating nothing beyond what the destination grows (a string
    /// costs two bytes per character, and its encoding one more). For a sink that writes text out (a file, a blob).
    /// </summary>
    /// <remarks>
    /// A property read before is not needed and not used: the bytes are decoded from the page each time. Safe to call
    /// from several threads at once (with a destination each).
    /// </remarks>
    /// <param name="field">Exactly one of <see cref="PageFields.Markdown"/>, <see cref="PageFields.Html"/>,
    /// <see cref="PageFields.RawHtml"/>, <see cref="PageFields.Screenshot"/>, <see cref="PageFields.Summary"/>.</param>
    /// <param name="destination">Receives the text.</param>
    /// <returns><see langword="true"/> when the field is a string (the property is not <see langword="null"/>);
    /// otherwise <see langword="false"/> and nothing is written.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="field"/> is not one string field.</exception>
    /// <exception cref="ObjectDisposedException">The page was disposed and its pooled buffer returned.</exception>
    public bool TryWriteUtf8(PageFields field, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        PageField text = field switch
        {
            PageFields.Markdown => PageField.Markdown,
            PageFields.Html => PageField.Html,
            PageFields.RawHtml => PageField.RawHtml,
            PageFields.Screenshot => PageField.Screenshot,
            PageFields.Summary => PageField.Summary,
            _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Expected exactly one string field: Markdown, Html, RawHtml, Screenshot or Summary."),
        };
        return JsonValueDecoder.TryWriteUtf8(Slice(_layout[text]), destination);
    }
}
