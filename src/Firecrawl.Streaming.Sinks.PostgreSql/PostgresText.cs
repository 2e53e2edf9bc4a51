using System.Text;

namespace Firecrawl.Streaming.Sinks.PostgreSql;

/// <summary>
/// PostgreSQL's <c>text</c> cannot hold U+0000, and <c>jsonb</c> refuses the escape <c>\u0000</c>. Rather than fail a
/// run over a page that carries one (binary files scraped as text do), the sink strips every NUL: from text columns,
/// and from the JSON (the <c>\u0000</c> escape sequences are removed from its strings). Nothing else changes.
/// </summary>
internal static class PostgresText
{
    /// <summary>The text without U+0000, or null.</summary>
    public static string? Text(string? value) =>
        value is null || !value.Contains('\0', StringComparison.Ordinal) ? value : value.Replace("\0", string.Empty, StringComparison.Ordinal);

    /// <summary>UTF-8 JSON as a string, with every <c>\u0000</c> escape removed (a raw NUL cannot occur in valid JSON).</summary>
    public static string Json(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IndexOf("\\u0000"u8) < 0)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        byte[] copy = new byte[utf8.Length];
        int length = 0;
        for (int i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\\' && i + 1 < utf8.Length)
            {
                // An escape: \u0000 is dropped, any other (including \\ before "u0000") is kept whole.
                if (utf8[(i + 1)..].StartsWith("u0000"u8))
                {
                    i += 5;
                    continue;
                }

                copy[length++] = utf8[i++];
            }

            copy[length++] = utf8[i];
        }

        return Encoding.UTF8.GetString(copy, 0, length);
    }
}
