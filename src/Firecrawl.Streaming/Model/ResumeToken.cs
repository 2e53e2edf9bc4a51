using System.Buffers;
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

    public static string Format(JobKind kind, string jobId, long position, string? scrapeId) =>
        Format(kind, jobId, position, string.IsNullOrEmpty(scrapeId) ? default : Encoding.UTF8.GetBytes(scrapeId));

    /// <summary>
    /// The token from the scrape id's UTF-8 bytes. Every page a pipeline reads gets a token, so the token is built in
    /// scratch buffers and the string is the only allocation.
    /// </summary>
    public static string Format(JobKind kind, string jobId, long position, ReadOnlySpan<byte> scrapeIdUtf8)
    {
        string kindName = KindName(kind);
        int maxPlain = 20 + 1 + scrapeIdUtf8.Length + 1 + kindName.Length + 1 + Encoding.UTF8.GetMaxByteCount(jobId.Length);
        byte[]? rentedPlain = null;
        Span<byte> plain = maxPlain <= 256 ? stackalloc byte[256] : (rentedPlain = ArrayPool<byte>.Shared.Rent(maxPlain));
        Utf8Formatter.TryFormat(position, plain, out int written);
        plain[written++] = (byte)'\n';
        scrapeIdUtf8.CopyTo(plain[written..]);
        written += scrapeIdUtf8.Length;
        plain[written++] = (byte)'\n';
        written += Encoding.UTF8.GetBytes(kindName, plain[written..]);
        plain[written++] = (byte)'\n';
        written += Encoding.UTF8.GetBytes(jobId, plain[written..]);

        int length = Prefix.Length + Base64Url.GetEncodedLength(written);
        char[]? rentedChars = null;
        Span<char> chars = length <= 512 ? stackalloc char[512] : (rentedChars = ArrayPool<char>.Shared.Rent(length));
        Prefix.CopyTo(chars);
        Base64Url.EncodeToChars(plain[..written], chars[Prefix.Length..]);
        string token = new(chars[..length]);
        if (rentedPlain is not null)
        {
            ArrayPool<byte>.Shared.Return(rentedPlain);
        }

        if (rentedChars is not null)
        {
            ArrayPool<char>.Shared.Return(rentedChars);
        }

        return token;
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
