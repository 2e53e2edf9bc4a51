using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Firecrawl.Streaming;

/// <summary>
/// Encodes and decodes the opaque resume token of a page: the kind of job and its id (so that a token is
/// never applied to another job or endpoint), the page's position and its scrape id, which lets a resumed
/// stream check that the server's offsets have not shifted.
/// </summary>
internal static class ResumeToken
{
    private const string Prefix = "fc2.";

    public static string Format(JobKind kind, string jobId, long position, string? scrapeId)
    {
        string plain = string.Create(CultureInfo.InvariantCulture, $"{position}\n{scrapeId}\n{KindName(kind)}\n{jobId}");
        return Prefix + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(plain));
    }

    public static bool TryParse(string? token, out JobKind kind, out string jobId, out long position, out string? scrapeId)
    {
        kind = default;
        jobId = string.Empty;
        position = 0;
        scrapeId = null;
        if (token is null || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(token.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return false;
        }

        string[] parts = Encoding.UTF8.GetString(bytes).Split('\n');
        if (parts.Length != 4 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out position))
        {
            return false;
        }

        switch (parts[2])
        {
            case "batch":
                kind = JobKind.BatchScrape;
                break;
            case "crawl":
                kind = JobKind.Crawl;
                break;
            default:
                return false;
        }

        scrapeId = parts[1].Length > 0 ? parts[1] : null;
        jobId = parts[3];
        return true;
    }

    /// <summary>How a kind of job is named in tokens, checkpoints and messages.</summary>
    public static string KindName(JobKind kind) => kind == JobKind.Crawl ? "crawl" : "batch";
}
