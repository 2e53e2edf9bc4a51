using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Firecrawl.Streaming.Sinks.AzureBlobs;

/// <summary>
/// Blob names derived from pages. A name is deterministic (a replayed page overwrites its own blob), safe
/// (ASCII letters, digits, '-', '.', '/', no ".." segment, well under the 1024-character limit) and unique per
/// page key (a hash of the key ends it), while still showing where the page came from.
/// </summary>
public static class BlobNames
{
    private const int MaxSlugLength = 100;

    /// <summary>The name of a page's blob in <see cref="AzureBlobLayout.BlobPerPage"/>: <c>{prefix}{host-and-path slug}-{16 hex of SHA-256(key)}.json</c>.</summary>
    /// <param name="page">The page.</param>
    /// <param name="prefix">The name prefix.</param>
    /// <returns>The blob name.</returns>
    public static string ForPage(ScrapedPage page, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(page);
        return $"{prefix}{Slug(page.Url)}-{Hash(page.Key)}.json";
    }

    /// <summary>The name of the JSON Lines blob holding <paramref name="position"/> in <see cref="AzureBlobLayout.JsonLinesBatches"/>.</summary>
    /// <param name="jobId">The job.</param>
    /// <param name="position">A page position.</param>
    /// <param name="pagesPerBlob">Positions per blob.</param>
    /// <param name="prefix">The name prefix.</param>
    /// <returns>The blob name.</returns>
    public static string ForBatch(string jobId, long position, int pagesPerBlob, string prefix = "") =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}{Slug(jobId)}/pages-{position / pagesPerBlob:D8}.jsonl");

    private static string Slug(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return "page";
        }

        string source = Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) ? uri.Host + uri.AbsolutePath : url;
        var slug = new StringBuilder(Math.Min(source.Length, MaxSlugLength));
        foreach (char c in source.Normalize(NormalizationForm.FormKD))
        {
            if (slug.Length >= MaxSlugLength)
            {
                break;
            }

            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(char.ToLowerInvariant(c));
            }
            else if (c is '.' or '-' or '_' or '/' or ' ' && slug.Length > 0 && slug[^1] != '-')
            {
                // Dots and slashes become dashes too, so no name can hold a ".." or "/" segment.
                slug.Append('-');
            }
        }

        string result = slug.ToString().Trim('-');
        return result.Length == 0 ? "page" : result;
    }

    private static string Hash(string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 8));
}
