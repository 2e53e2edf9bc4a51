using System.Text;

namespace Firecrawl.Streaming;

/// <summary>
/// Removes the API key from text the server (or a proxy in front of it) sent back: an error message, or the start of
/// a body quoted in an error. A proxy can echo the request's <c>Authorization</c> header into an HTML page, so every
/// quote of a body goes through here, and a quote is cut only after the key was removed, never before.
/// </summary>
internal sealed class KeyRedactor(string key)
{
    private const string Mask = "***";

    /// <summary>Replaces every occurrence of the key.</summary>
    public string? Redact(string? text) => text?.Replace(key, Mask, StringComparison.Ordinal);

    /// <summary>
    /// The first <paramref name="maxChars"/> characters of a UTF-8 body without the key: more is decoded than is shown,
    /// so a key that runs past the cut is still whole when it is removed, and a key cut short by the end of the bytes
    /// (the body ended, or only part of it has arrived) is masked too.
    /// </summary>
    public string Preview(ReadOnlySpan<byte> utf8, int maxChars)
    {
        int window = (int)Math.Min(utf8.Length, 4L * (maxChars + key.Length));
        string text = Encoding.UTF8.GetString(utf8[..window]).Replace(key, Mask, StringComparison.Ordinal);
        text = MaskPartialKeyAtEnd(text);
        return text.Length <= maxChars ? text : text[..maxChars];
    }

    /// <summary>The longest end of <paramref name="text"/> that is the start of the key (cut by the end of the bytes) becomes the mask.</summary>
    private string MaskPartialKeyAtEnd(string text)
    {
        for (int length = Math.Min(key.Length - 1, text.Length); length > 0; length--)
        {
            if (text.AsSpan(text.Length - length).SequenceEqual(key.AsSpan(0, length)))
            {
                return string.Concat(text.AsSpan(0, text.Length - length), Mask);
            }
        }

        return text;
    }
}
