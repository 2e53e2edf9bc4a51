using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Firecrawl.Streaming;

/// <summary>
/// Encodes and decodes the opaque resume token of a page: the job id, the page's position and its
/// scrape id, which lets a resumed stream check that the server's offsets have not shifted.
/// </summary>
internal static class ResumeToken
{
    private const string Prefix = "fc1.";

    public static string Format(string jobId, long position, string? scrapeId)
    {
        string plain = string.Create(CultureInfo.InvariantCulture, $"{position}\n{scrapeId}\n{jobId}");
        return Prefix + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(plain));
    }

    public static bool TryParse(string? token, out string jobId, out long position, out string? scrapeId)
    {
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
        if (parts.Length != 3 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out position))
        {
            return false;
        }

        scrapeId = parts[1].Length > 0 ? parts[1] : null;
        jobId = parts[2];
        return true;
    }
}
