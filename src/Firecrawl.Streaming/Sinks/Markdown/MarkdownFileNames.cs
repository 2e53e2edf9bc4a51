using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Firecrawl.Streaming.Sinks;

/// <summary>
/// File names for pages: a readable slug of the URL and a hash of the page's identity, e.g.
/// <c>example-com-docs-intro-3f2a9c0d41b7e865.md</c>.
/// </summary>
/// <remarks>
/// Safe by construction: only <c>[a-z0-9-]</c> before the hash, so no separator, no <c>..</c>, no leading dot, no
/// character a file system rejects or folds, and no reserved device name (the hash always follows). Unique and
/// stable: the hash is of the job id and <see cref="ScrapedPage.Key"/>, so a page replayed after a crash lands on
/// the same file, and two pages with the same URL or with URLs that differ only in case or punctuation do not.
/// </remarks>
internal static class MarkdownFileNames
{
    public const string Extension = ".md";
    private const int HashHexLength = 16;

    public static string For(ScrapedPage page, int slugMaxLength)
    {
        string slug = Slug(page.Url, slugMaxLength);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(page.JobId + "\n" + page.Key), hash);
        return $"{slug}-{Convert.ToHexStringLower(hash[..(HashHexLength / 2)])}{Extension}";
    }

    /// <summary>Host and path of the URL, folded to lowercase ASCII letters, digits and single dashes.</summary>
    public static string Slug(string? url, int maxLength)
    {
        string source = url ?? string.Empty;
        if (Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && !string.IsNullOrEmpty(uri.Host))
        {
            source = uri.IdnHost + Uri.UnescapeDataString(uri.AbsolutePath);
        }

        string result = TextSlug.Create(source, maxLength);
        return result.Length > 0 ? result : "page";
    }
}
