using System.Globalization;
using System.Text;

namespace Firecrawl.Streaming.Tests.Sinks.Markdown;

/// <summary>
/// Reads the front matter the sink writes: <c>key: "double-quoted"</c>, <c>key: 123</c> and
/// <c>key: ["a", "b"]</c> lines between <c>---</c> fences, undoing YAML's double-quote escapes.
/// </summary>
public static class MarkdownFrontMatter
{
    public static (Dictionary<string, string[]> Fields, string Body) Read(string text)
    {
        Assert.StartsWith("---\n", text, StringComparison.Ordinal);
        int end = text.IndexOf("\n---\n", 3, StringComparison.Ordinal);
        Assert.True(end > 0, "The front matter is not closed.");
        var fields = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (string line in text[4..end].Split('\n'))
        {
            int colon = line.IndexOf(": ", StringComparison.Ordinal);
            Assert.True(colon > 0, $"Not a YAML mapping line: {line}");
            string key = line[..colon];
            string value = line[(colon + 2)..];
            fields.Add(key, value.StartsWith('[') ? ParseSequence(value) : [value.StartsWith('"') ? Unquote(value, out _) : value]);
        }

        string body = text[(end + 5)..];
        return (fields, body.StartsWith('\n') ? body[1..] : body);
    }

    private static string[] ParseSequence(string value)
    {
        var items = new List<string>();
        string rest = value[1..];
        while (!rest.StartsWith(']'))
        {
            items.Add(Unquote(rest, out int used));
            rest = rest[used..].TrimStart(',', ' ');
        }

        return [.. items];
    }

    /// <summary>Decodes a YAML double-quoted scalar at the start of <paramref name="text"/>.</summary>
    public static string Unquote(string text, out int used)
    {
        Assert.Equal('"', text[0]);
        var result = new StringBuilder();
        int i = 1;
        while (text[i] != '"')
        {
            char c = text[i++];
            Assert.False(c < 0x20, "A control character is not escaped.");
            if (c != '\\')
            {
                result.Append(c);
                continue;
            }

            char escape = text[i++];
            switch (escape)
            {
                case '"': result.Append('"'); break;
                case '\\': result.Append('\\'); break;
                case '0': result.Append('\0'); break;
                case 't': result.Append('\t'); break;
                case 'n': result.Append('\n'); break;
                case 'r': result.Append('\r'); break;
                case 'N': result.Append('\u0085'); break;
                case 'L': result.Append('\u2028'); break;
                case 'P': result.Append('\u2029'); break;
                case 'u':
                    result.Append((char)int.Parse(text.AsSpan(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                default:
                    Assert.Fail($"Unknown escape \\{escape}");
                    break;
            }
        }

        used = i + 1;
        return result.ToString();
    }
}
