using System.Buffers;
using System.Text.Json;

namespace Firecrawl.Streaming;

/// <summary>
/// Builds the JSON body of a start request, checked before anything is sent: the URLs, repeated keys, and the
/// server's 10 MB limit.
/// </summary>
internal static class StartBodies
{
    /// <summary>The largest start body the server accepts (its body parser's limit, in bytes).</summary>
    public const int MaxBodyBytes = 10_000_000;

    /// <summary>The body of <c>POST /v2/batch/scrape</c>: the request's fields with the scrape options beside them.</summary>
    /// <exception cref="ArgumentException">The URLs are missing or invalid, a key repeats, or the body is too large.</exception>
    public static byte[] Batch(BatchScrapeRequest request)
    {
        StartRules.CheckBatch(request);
        byte[] body = Write(writer =>
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            WriteMembers(writer, JsonSerializer.SerializeToElement(request, JobsJsonContext.Bodies.BatchScrapeRequest), names, "the request", nameof(request));
            if (request.ScrapeOptions is PageScrapeOptions options)
            {
                WriteMembers(writer, JsonSerializer.SerializeToElement(options, JobsJsonContext.Bodies.PageScrapeOptions), names, "ScrapeOptions", nameof(request));
            }
        });

        if (body.Length > MaxBodyBytes)
        {
            int urlBytes = JsonSerializer.SerializeToUtf8Bytes(request.Urls, JobsJsonContext.Bodies.IReadOnlyListString).Length;
            throw StartRules.TooLarge(body.Length, request.Urls.Count, urlBytes, nameof(request));
        }

        return body;
    }

    /// <summary>The body of <c>POST /v2/crawl</c>, with the scrape options nested as <c>scrapeOptions</c>.</summary>
    /// <exception cref="ArgumentException">The URL is invalid, a key repeats, or the body is too large.</exception>
    public static byte[] Crawl(CrawlRequest request)
    {
        StartRules.CheckCrawl(request);
        byte[] body = Write(writer =>
        {
            WriteMembers(writer, JsonSerializer.SerializeToElement(request, JobsJsonContext.Bodies.CrawlRequest), [], "the request", nameof(request));
            if (request.ScrapeOptions is PageScrapeOptions options)
            {
                writer.WriteStartObject("scrapeOptions");
                WriteMembers(writer, JsonSerializer.SerializeToElement(options, JobsJsonContext.Bodies.PageScrapeOptions), [], "ScrapeOptions", nameof(request));
                writer.WriteEndObject();
            }
        });

        return body.Length <= MaxBodyBytes ? body : throw StartRules.TooLarge(body.Length, urls: 1, urlBytes: 0, nameof(request));
    }

    private static byte[] Write(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JobsJsonContext.Bodies.Options.Encoder }))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Copies an object's members into the body being written. A name seen before is refused: the JSON would be
    /// ambiguous (an <c>AdditionalProperties</c> key repeating a property, or a scrape option repeating a request field).
    /// </summary>
    private static void WriteMembers(Utf8JsonWriter writer, JsonElement source, HashSet<string> names, string where, string paramName)
    {
        foreach (JsonProperty property in source.EnumerateObject())
        {
            if (!names.Add(property.Name))
            {
                throw new ArgumentException(
                    $"The key \"{property.Name}\" of {where} is given twice: remove it from AdditionalProperties, or set it in one place only.",
                    paramName);
            }

            property.WriteTo(writer);
        }
    }
}
