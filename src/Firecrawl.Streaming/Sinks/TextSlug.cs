using System.Globalization;
using System.Text;

namespace Firecrawl.Streaming.Sinks;

/// <summary>Folds text into a name-safe slug; shared by the sinks (in every package) that derive file and blob names from URLs.</summary>
public static class TextSlug
{
    /// <summary>Lowercase ASCII letters and digits, single dashes between them; accents dropped ("bücher" → "bucher"). May be empty.</summary>
    /// <param name="text">The text, e.g. a URL's path.</param>
    /// <param name="maxLength">The longest slug wanted.</param>
    /// <returns>The slug, at most <paramref name="maxLength"/> characters.</returns>
    public static string Create(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Decompose so that accented letters keep their base letter.
        string decomposed = text.Normalize(NormalizationForm.FormKD);
        var slug = new StringBuilder(Math.Min(decomposed.Length, Math.Max(maxLength, 0)));
        bool dash = false;
        foreach (char c in decomposed)
        {
            if (slug.Length >= maxLength)
            {
                break;
            }

            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            char lower = char.ToLowerInvariant(c);
            if (char.IsAsciiLetterLower(lower) || char.IsAsciiDigit(lower))
            {
                slug.Append(lower);
                dash = false;
            }
            else if (!dash && slug.Length > 0)
            {
                slug.Append('-');
                dash = true;
            }
        }

        return slug.ToString().TrimEnd('-');
    }
}
