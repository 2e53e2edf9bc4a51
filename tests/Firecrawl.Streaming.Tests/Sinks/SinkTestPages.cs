using System.Text;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Sinks;

/// <summary>Pages that stress how sinks identify and read back what they stored.</summary>
public static class SinkTestPages
{
    /// <summary>
    /// Page <paramref name="index"/> with a <c>json</c> field nested <paramref name="depth"/> objects deep: deeper than
    /// <see cref="System.Text.Json"/>'s default limit of 64, within the stream's.
    /// </summary>
    public static ScrapedPage Deep(int index, int depth = 100, string jobId = "job-1")
    {
        var json = new StringBuilder();
        json.Append("{\"markdown\":\"deep page ").Append(index).Append("\",\"json\":");
        json.Insert(json.Length, "{\"a\":", depth).Append('1').Append('}', depth);
        json.Append(",\"metadata\":{\"url\":\"https://example.com/deep/").Append(index)
            .Append("\",\"scrapeId\":\"").Append(TestPages.ScrapeId(index)).Append("\"}}");
        return PageParser.Parse(Encoding.UTF8.GetBytes(json.ToString()), jobId, index);
    }

    /// <summary>A page with no scrape id at <paramref name="position"/>: its key is its position and a hash of its bytes.</summary>
    public static ScrapedPage WithoutScrapeId(int position, string text = "same text", string url = "https://example.com/same", string jobId = "job-1") =>
        PageParser.Parse(
            Encoding.UTF8.GetBytes($"{{\"markdown\":\"{text}\",\"metadata\":{{\"title\":\"Same\",\"url\":\"{url}\"}}}}"),
            jobId,
            position);

    /// <summary>Page <paramref name="index"/> (its own scrape id) at the URL <paramref name="url"/>.</summary>
    public static ScrapedPage AtUrl(int index, string url, string? title = null, string jobId = "job-1") =>
        PageParser.Parse(TestPages.Json(index, title ?? $"Page {index}", url), jobId, index);
}
