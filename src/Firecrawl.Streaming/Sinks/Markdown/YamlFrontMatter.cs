using System.Globalization;
using System.Text;

namespace Firecrawl.Streaming.Sinks;

/// <summary>
/// Writes a page's metadata as a YAML front-matter block. Every string is a double-quoted scalar with YAML escapes,
/// so no title or URL can end the block, start a comment, or change a type.
/// </summary>
internal static class YamlFrontMatter
{
    public static void Write(StringBuilder output, ScrapedPage page)
    {
        PageMetadata metadata = page.Metadata;
        output.Append("---\n");
        Field(output, "url", page.Url);
        Field(output, "title", metadata.Title);
        Field(output, "description", metadata.Description);
        if (metadata.StatusCode is int status)
        {
            output.Append("statusCode: ").Append(status.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        Field(output, "scrapeId", metadata.ScrapeId);
        Field(output, "language", metadata.Language);
        output.Append("---\n");
    }

    private static void Field(StringBuilder output, string name, string? value)
    {
        if (value is not null)
        {
            output.Append(name).Append(": ");
            Quoted(output, value);
            output.Append('\n');
        }
    }

    private static void Field(StringBuilder output, string name, MetadataText value)
    {
        if (value.IsEmpty)
        {
            return;
        }

        if (!value.IsArray)
        {
            Field(output, name, value.First);
            return;
        }

        output.Append(name).Append(": [");
        for (int i = 0; i < value.Count; i++)
        {
            output.Append(i == 0 ? string.Empty : ", ");
            Quoted(output, value[i]);
        }

        output.Append("]\n");
    }

    /// <summary>A YAML double-quoted scalar: escapes for the quote, the backslash and everything outside YAML's printable set.</summary>
    public static void Quoted(StringBuilder output, string value)
    {
        output.Append('"');
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            switch (c)
            {
                case '"': output.Append("\\\""); break;
                case '\\': output.Append("\\\\"); break;
                case '\0': output.Append("\\0"); break;
                case '\t': output.Append("\\t"); break;
                case '\n': output.Append("\\n"); break;
                case '\r': output.Append("\\r"); break;
                case '\u0085': output.Append("\\N"); break;
                case '\u2028': output.Append("\\L"); break;
                case '\u2029': output.Append("\\P"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                    {
                        output.Append(c).Append(value[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        output.Append("\\uFFFD"); // a lone surrogate is no character YAML (or UTF-8) can hold
                    }
                    else if (c < 0x20 || c is >= '\u007f' and <= '\u009f' || c is '\ufeff' or '\ufffe' or '\uffff')
                    {
                        output.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
                    }
                    else
                    {
                        output.Append(c);
                    }

                    break;
            }
        }

        output.Append('"');
    }
}
