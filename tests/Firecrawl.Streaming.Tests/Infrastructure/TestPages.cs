using System.Text;
using System.Text.Json;

namespace Firecrawl.Streaming.Tests.Infrastructure;

/// <summary>Builds small, realistic pages for tests, including awkward titles and URLs.</summary>
public static class TestPages
{
    /// <summary>Titles and URLs that break naive file naming, escaping or encoding.</summary>
    public static readonly (string Title, string Url)[] Awkward =
    [
        ("Ünïcödé — “quotes” 日本語 🚀", "https://example.com/ünï/cödé?q=1&x=ä"),
        ("../../etc/passwd", "https://example.com/../../etc/passwd"),
        ("CON", "https://example.com/CON"),
        ("tab\tnew\nline \"quoted\" back\\slash", "https://example.com/a%20b/c%2Fd?x=%00"),
        (new string('x', 400), "https://example.com/" + new string('y', 600)),
        ("same", "https://example.com/same"),
        ("same", "https://example.com/Same"),
        ("😀😀 surrogates 𝄞", "https://xn--bcher-kva.example/bücher#frag"),
    ];

    /// <summary>A page JSON object with a unique scrape id.</summary>
    public static byte[] Json(int index, string? title = null, string? url = null, string? markdown = null)
    {
        url ??= $"https://example.com/page/{index}";
        title ??= $"Page {index}";
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("markdown", markdown ?? $"# {title}\n\nBody of page {index} with \"quotes\" and a [link]({url}).\n");
            writer.WriteStartArray("links");
            writer.WriteStringValue(url);
            writer.WriteEndArray();
            writer.WriteStartObject("metadata");
            writer.WriteString("title", title);
            writer.WriteString("description", $"Description {index}");
            writer.WriteString("language", "en");
            writer.WriteString("sourceURL", url);
            writer.WriteString("url", url);
            writer.WriteNumber("statusCode", 200);
            writer.WriteString("scrapeId", ScrapeId(index));
            writer.WriteString("og:title", title);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>A deterministic UUID for page <paramref name="index"/>.</summary>
    public static string ScrapeId(int index) => new Guid(index, 0x1234, 0x5678, [1, 2, 3, 4, 5, 6, 7, 8]).ToString();

    /// <summary>Pages 0..count-1 as parsed <see cref="ScrapedPage"/>s of job <paramref name="jobId"/>.</summary>
    public static List<ScrapedPage> Create(int count, string jobId = "job-1", int first = 0)
    {
        var pages = new List<ScrapedPage>(count);
        for (int i = first; i < first + count; i++)
        {
            (string? title, string? url) = i < Awkward.Length ? Awkward[i] : (null, null);
            pages.Add(PageParser.Parse(Json(i, title, url), jobId, i));
        }

        return pages;
    }

    /// <summary>A whole batch status response holding <paramref name="pages"/>.</summary>
    public static byte[] Response(IEnumerable<byte[]> pages, string status = "completed", string? next = null)
    {
        var body = new StringBuilder();
        body.Append("{\"success\":true,\"status\":\"").Append(status).Append("\",\"total\":10,\"completed\":10,\"creditsUsed\":10,");
        body.Append("\"expiresAt\":\"2026-12-01T00:00:00.000Z\",");
        if (next is not null)
        {
            body.Append("\"next\":").Append(JsonSerializer.Serialize(next)).Append(',');
        }

        body.Append("\"data\":[");
        body.Append(string.Join(",", pages.Select(p => Encoding.UTF8.GetString(p))));
        body.Append("]}");
        return Encoding.UTF8.GetBytes(body.ToString());
    }
}
