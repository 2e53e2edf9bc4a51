using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Firecrawl.Streaming.Testing;

/// <summary>
/// Realistic, deterministic pages: markdown with many newlines and quotes, HTML, unicode (accents, CJK,
/// emoji), open-ended metadata (og/twitter keys, titles and keywords that are sometimes arrays, status
/// codes that are sometimes strings), unique scrape ids, optional base64 screenshots.
/// </summary>
public static class FakePageGenerator
{
    private static readonly string[] Words =
    [
        "stream", "page", "batch", "crawl", "index", "search", "markdown", "channel", "sink", "pipeline", "résumé", "naïve",
        "Ünïcödé", "日本語", "데이터", "данные", "🚀", "café", "“quoted”", "\"plain\"", "back\\slash", "tab\there", "the", "a", "of",
        "and", "to", "in", "is", "for", "with", "on", "that", "by", "this", "from", "at", "as", "be", "are",
    ];

    /// <summary>Generates <paramref name="count"/> pages.</summary>
    /// <param name="count">The number of pages.</param>
    /// <param name="seed">Selects the content; the same seed gives the same bytes.</param>
    /// <param name="shape">The size and content; null for <see cref="PageShape.Default"/>.</param>
    /// <returns>Each page's JSON object as UTF-8.</returns>
    public static IReadOnlyList<byte[]> Generate(int count, int seed = 1, PageShape? shape = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var pages = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            pages[i] = Page(i, seed, shape);
        }

        return pages;
    }

    /// <summary>The number of pages of <paramref name="shape"/> that make about <paramref name="totalBytes"/> of JSON.</summary>
    /// <param name="totalBytes">The target job size.</param>
    /// <param name="shape">The shape; null for the default.</param>
    /// <returns>The page count (at least 1).</returns>
    public static int CountForBytes(long totalBytes, PageShape? shape = null)
    {
        double average = Enumerable.Range(0, 16).Average(i => Page(i, 7, shape).Length);
        return (int)Math.Max(1, totalBytes / average);
    }

    /// <summary>Generates page <paramref name="index"/> (deterministic; usable as a page factory for a fake job).</summary>
    /// <param name="index">The page's position.</param>
    /// <param name="seed">Selects the content.</param>
    /// <param name="shape">The size and content; null for the default.</param>
    /// <returns>The page's JSON object as UTF-8.</returns>
    public static byte[] Page(int index, int seed = 1, PageShape? shape = null) => Build(index, seed, shape, url: null);

    /// <summary>
    /// Generates the page scraped from <paramref name="url"/>: its <c>metadata.sourceURL</c> and <c>metadata.url</c>
    /// are that URL, its <c>metadata.scrapeId</c> is <see cref="ScrapeId"/>(<paramref name="seed"/>, <paramref name="index"/>),
    /// so jobs given different seeds never share a scrape id. Deterministic, like <see cref="Page"/>.
    /// </summary>
    /// <param name="url">The URL the page was scraped from.</param>
    /// <param name="index">The page's position in its job.</param>
    /// <param name="seed">Selects the content and the scrape ids; give each job its own.</param>
    /// <param name="shape">The size and content; null for the default.</param>
    /// <returns>The page's JSON object as UTF-8.</returns>
    public static byte[] PageFor(string url, int index, int seed = 1, PageShape? shape = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        return Build(index, seed, shape, url);
    }

    private static byte[] Build(int index, int seed, PageShape? shape, string? url)
    {
        shape ??= PageShape.Default;
        // Not HashCode.Combine: it is randomized per process, and the same seed must give the same bytes everywhere.
        var random = new Random(unchecked((seed * 1_000_003) + (index * 7919)));
        // The slug is drawn even when the URL is given, so the rest of the content does not depend on it.
        string generated = $"https://docs.example.com/{Slug(random)}/{index}";
        url ??= generated;
        string title = Sentence(random, 4, 9).TrimEnd('.');
        var buffer = new ArrayBufferWriter<byte>(shape.MarkdownChars * 3 + (shape.ScreenshotBytes * 4 / 3) + 2048);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            string markdown = Markdown(random, title, url, shape.MarkdownChars);
            json.WriteString("markdown", markdown);
            if (shape.Html)
            {
                json.WriteString("html", Html(markdown));
            }

            json.WriteStartArray("links");
            for (int i = 0; i < shape.Links; i++)
            {
                json.WriteStringValue($"https://docs.example.com/{Slug(random)}/{random.Next(100_000)}");
            }

            json.WriteEndArray();
            if (shape.ScreenshotBytes > 0)
            {
                byte[] image = new byte[shape.ScreenshotBytes];
                random.NextBytes(image);
                json.WriteString("screenshot", "data:image/png;base64," + Convert.ToBase64String(image));
            }

            Metadata(json, random, index, seed, title, url);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Metadata(Utf8JsonWriter json, Random random, int index, int seed, string title, string url)
    {
        json.WriteStartObject("metadata");
        if (random.Next(10) == 0)
        {
            json.WriteStartArray("title");
            json.WriteStringValue(title);
            json.WriteStringValue(title + " | Docs");
            json.WriteEndArray();
        }
        else
        {
            json.WriteString("title", title);
        }

        json.WriteString("description", Sentence(random, 8, 20));
        json.WriteString("language", random.Next(8) == 0 ? "ja" : "en");
        if (random.Next(3) == 0)
        {
            json.WriteStartArray("keywords");
            json.WriteStringValue(Words[random.Next(Words.Length)]);
            json.WriteStringValue(Words[random.Next(Words.Length)]);
            json.WriteEndArray();
        }
        else
        {
            json.WriteString("keywords", $"{Words[random.Next(12)]}, {Words[random.Next(12)]}");
        }

        json.WriteString("og:title", title);
        json.WriteString("og:description", Sentence(random, 5, 12));
        json.WriteString("og:image", $"https://docs.example.com/img/{index}.png");
        json.WriteStartArray("ogLocaleAlternate");
        json.WriteStringValue("fr_FR");
        json.WriteEndArray();
        json.WriteString("twitter:card", "summary_large_image");
        json.WriteString("viewport", "width=device-width, initial-scale=1");
        json.WriteString("favicon", "https://docs.example.com/favicon.ico");
        json.WriteString("sourceURL", url);
        json.WriteString("url", url);
        int status = random.Next(50) == 0 ? 404 : 200;
        if (random.Next(6) == 0)
        {
            json.WriteString("statusCode", status.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNumber("statusCode", status);
        }

        if (status != 200)
        {
            json.WriteString("error", "Not Found");
        }

        json.WriteString("contentType", "text/html; charset=utf-8");
        json.WriteString("proxyUsed", "basic");
        json.WriteString("cacheState", random.Next(2) == 0 ? "hit" : "miss");
        json.WriteString("scrapeId", ScrapeId(seed, index));
        json.WriteNumber("creditsUsed", 1);
        json.WriteEndObject();
    }

    /// <summary>The scrape id of page <paramref name="index"/> for <paramref name="seed"/>.</summary>
    /// <param name="seed">The seed.</param>
    /// <param name="index">The page's position.</param>
    /// <returns>A UUID string.</returns>
    public static string ScrapeId(int seed, int index) =>
        new Guid(index, (short)seed, 0x4000, [0x80, 0, 0, 0, 0, 0, (byte)(seed >> 8), (byte)seed]).ToString();

    private static string Markdown(Random random, string title, string url, int chars)
    {
        var text = new StringBuilder(chars + 256);
        text.Append("# ").Append(title).Append("\n\n");
        while (text.Length < chars)
        {
            switch (random.Next(6))
            {
                case 0:
                    text.Append("## ").Append(Sentence(random, 2, 6).TrimEnd('.')).Append("\n\n");
                    break;
                case 1:
                    for (int i = random.Next(2, 5); i > 0; i--)
                    {
                        text.Append("- ").Append(Sentence(random, 3, 10)).Append('\n');
                    }

                    text.Append('\n');
                    break;
                case 2:
                    text.Append("> \"").Append(Sentence(random, 6, 14)).Append("\" — see [the docs](").Append(url).Append(")\n\n");
                    break;
                case 3:
                    text.Append("```csharp\nvar x = \"").Append(Words[random.Next(Words.Length)]).Append("\";\n```\n\n");
                    break;
                default:
                    text.Append(Sentence(random, 20, 60)).Append("\n\n");
                    break;
            }
        }

        return text.ToString();
    }

    private static string Html(string markdown)
    {
        var html = new StringBuilder(markdown.Length + (markdown.Length / 4));
        html.Append("<html><body><main>");
        foreach (string line in markdown.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string tag = line.StartsWith('#') ? "h2" : line.StartsWith('-') ? "li" : "p";
            html.Append('<').Append(tag).Append(" class=\"c\">").Append(line.Replace("<", "&lt;", StringComparison.Ordinal)).Append("</").Append(tag).Append('>');
        }

        return html.Append("</main></body></html>").ToString();
    }

    private static string Sentence(Random random, int min, int max)
    {
        var text = new StringBuilder();
        for (int i = random.Next(min, max + 1); i > 0; i--)
        {
            text.Append(Words[random.Next(Words.Length)]).Append(i > 1 ? " " : ".");
        }

        text[0] = char.ToUpperInvariant(text[0]);
        return text.ToString();
    }

    private static string Slug(Random random) => Words[random.Next(8, 12)] + "-" + random.Next(1000).ToString(CultureInfo.InvariantCulture);
}
