using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Firecrawl.Streaming.Sinks.AzureBlobs;

/// <summary>
/// The blob names <see cref="AzureBlobSink"/> uses: deterministic, so a page written again lands on the same blob, and
/// safe for every Azure tool.
/// </summary>
/// <remarks>
/// <para><b>One blob per page</b>: <c>{prefix}{host}/{path}-{hash}.json</c>, e.g.
/// <c>crawls/example.com/docs/intro-3f2a9c0d41b7e865.json</c>.</para>
/// <list type="bullet">
/// <item><c>host</c> is the URL's host in ASCII (punycode for international names), lowercase, with <c>_port</c>
/// when the port is not the scheme's default; only <c>[a-z0-9._-]</c> remain, other characters become <c>_</c>.
/// A page without a usable URL goes under <c>_</c>.</item>
/// <item><c>path</c> is the URL path, percent-decoded, one slug per segment: accents dropped, lowercase ASCII letters
/// and digits kept, every other run of characters one <c>-</c>, empty segments left out; at most 16 segments and 200
/// characters; <c>index</c> for the root. So no <c>.</c> or <c>..</c> segment, no character that needs escaping, no
/// name that a case-insensitive file system would fold onto another.</item>
/// <item><c>hash</c> is 16 hex digits of the SHA-256 of the job id and <see cref="ScrapedPage.Key"/>: unique per page,
/// so two URLs that slug alike (<c>/Same</c> and <c>/same</c>, a long URL cut short) still get two blobs, and the same
/// page replayed after a crash gets the same blob. The Markdown blob has the same name with <c>.md</c>.</item>
/// </list>
/// <para><b>JSON Lines batches</b>: <c>{prefix}{job}/pages-{first}-{last}.jsonl</c>, e.g.
/// <c>crawls/4f6a…/pages-000000000500-000000000999.jsonl</c>: the page at position <c>p</c> goes to the blob whose
/// range holds <c>p</c>, ranges of <see cref="AzureBlobSinkOptions.PagesPerBlob"/> positions starting at 0, numbers
/// zero-padded to 12 digits so names sort by position. <c>job</c> is the job id when it is made of
/// <c>[A-Za-z0-9_-]</c> (as Firecrawl's UUIDs are), else <c>job-</c> and a hash of it.</para>
/// <para>Names stay under 1024 characters and 254 segments for any valid <see cref="AzureBlobSinkOptions.Prefix"/>.</para>
/// </remarks>
public static class AzureBlobNames
{
    /// <summary>The extension of a page's JSON blob.</summary>
    public const string JsonExtension = ".json";

    /// <summary>The extension of a page's Markdown blob.</summary>
    public const string MarkdownExtension = ".md";

    /// <summary>The extension of a JSON Lines batch blob.</summary>
    public const string JsonLinesExtension = ".jsonl";

    private const int MaxHostLength = 253;
    private const int MaxSlugLength = 200;
    private const int MaxSlugSegments = 16;
    private const int MaxPrefixSegments = 64;
    private const int HashBytes = 8;

    /// <summary>Gets the name of a page's JSON blob in <see cref="AzureBlobSinkMode.BlobPerPage"/> mode.</summary>
    /// <param name="page">The page.</param>
    /// <param name="prefix">The <see cref="AzureBlobSinkOptions.Prefix"/>.</param>
    /// <returns>The blob name.</returns>
    public static string ForPage(ScrapedPage page, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(prefix);
        return prefix + PageStem(page) + JsonExtension;
    }

    /// <summary>Gets the name of a page's Markdown blob (<see cref="AzureBlobSinkOptions.UploadMarkdown"/>).</summary>
    /// <param name="page">The page.</param>
    /// <param name="prefix">The <see cref="AzureBlobSinkOptions.Prefix"/>.</param>
    /// <returns>The blob name.</returns>
    public static string ForMarkdown(ScrapedPage page, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(prefix);
        return prefix + PageStem(page) + MarkdownExtension;
    }

    /// <summary>Gets the name of the JSON Lines blob that holds the page at <paramref name="position"/> of a job.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="position">The page's position in the job.</param>
    /// <param name="pagesPerBlob">The <see cref="AzureBlobSinkOptions.PagesPerBlob"/>.</param>
    /// <param name="prefix">The <see cref="AzureBlobSinkOptions.Prefix"/>.</param>
    /// <returns>The blob name.</returns>
    public static string ForBatch(string jobId, long position, int pagesPerBlob, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(jobId);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfLessThan(pagesPerBlob, 1);
        long first = position - (position % pagesPerBlob);
        long last = first + pagesPerBlob - 1;
        return string.Create(CultureInfo.InvariantCulture, $"{JobFolder(jobId, prefix)}pages-{first:D12}-{last:D12}{JsonLinesExtension}");
    }

    /// <summary>The folder (ending in <c>/</c>) that holds a job's batch blobs.</summary>
    internal static string JobFolder(string jobId, string prefix)
    {
        bool plain = jobId.Length is > 0 and <= 128 && jobId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
        return prefix + (plain ? jobId : "job-" + Hash(jobId)) + "/";
    }

    /// <summary>Reads the first and last position back from a batch blob name made by <see cref="ForBatch"/>.</summary>
    internal static bool TryParseBatch(string name, out long first, out long last)
    {
        first = last = 0;
        int slash = name.LastIndexOf('/');
        ReadOnlySpan<char> file = name.AsSpan(slash + 1);
        if (!file.StartsWith("pages-", StringComparison.Ordinal) || !file.EndsWith(JsonLinesExtension, StringComparison.Ordinal))
        {
            return false;
        }

        ReadOnlySpan<char> range = file["pages-".Length..^JsonLinesExtension.Length];
        int dash = range.IndexOf('-');
        return dash > 0
            && long.TryParse(range[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out first)
            && long.TryParse(range[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out last);
    }

    /// <summary>Says what is wrong with a prefix, or returns null when it is fine.</summary>
    internal static string? CheckPrefix(string prefix)
    {
        if (prefix.Length == 0)
        {
            return null;
        }

        if (prefix.Length > AzureBlobSinkOptions.MaxPrefixLength)
        {
            return $"must be at most {AzureBlobSinkOptions.MaxPrefixLength} characters";
        }

        if (prefix.Any(c => char.IsControl(c) || c == '\\'))
        {
            return "must not hold control characters or backslashes";
        }

        string[] segments = prefix.Split('/');

        // "a/b/" ends with an empty segment, which is what makes it a folder; empty segments elsewhere are not allowed.
        IEnumerable<string> inner = prefix.EndsWith('/') ? segments[..^1] : segments;
        if (inner.Any(s => s.Length == 0 || s.Trim('.').Length == 0))
        {
            return "must not start with '/' or hold empty, '.' or '..' segments";
        }

        return segments.Length > MaxPrefixSegments ? $"must have at most {MaxPrefixSegments} segments" : null;
    }

    /// <summary>The page's name without prefix and extension: <c>{host}/{path}-{hash}</c>.</summary>
    private static string PageStem(ScrapedPage page)
    {
        string host = "_";
        var slug = new StringBuilder();
        if (Uri.TryCreate(page.Url, UriKind.Absolute, out Uri? uri) && !string.IsNullOrEmpty(uri.Host))
        {
            host = Host(uri);
            AppendPathSlug(slug, uri.AbsolutePath);
        }

        if (slug.Length == 0)
        {
            slug.Append(page.Url is null ? "page" : "index");
        }

        return $"{host}/{slug}-{Hash(page.JobId + "\n" + page.Key)}";
    }

    private static string Host(Uri uri)
    {
        string host = uri.IdnHost.ToLowerInvariant();
        if (!uri.IsDefaultPort)
        {
            host += "_" + uri.Port.ToString(CultureInfo.InvariantCulture);
        }

        var safe = new StringBuilder(Math.Min(host.Length, MaxHostLength));
        foreach (char c in host)
        {
            if (safe.Length == MaxHostLength)
            {
                break;
            }

            safe.Append(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        // A host of only dots (or an IPv6 literal folded to underscores and dots) must not read as "." or "..".
        string result = safe.ToString().TrimEnd('.');
        return result.Trim('.', '_').Length == 0 ? "_" : result;
    }

    private static void AppendPathSlug(StringBuilder slug, string absolutePath)
    {
        int segments = 0;
        foreach (string raw in absolutePath.Split('/'))
        {
            if (segments == MaxSlugSegments || slug.Length >= MaxSlugLength)
            {
                return;
            }

            string segment = Slug(Uri.UnescapeDataString(raw), MaxSlugLength - slug.Length - 1);
            if (segment.Length > 0)
            {
                if (slug.Length > 0)
                {
                    slug.Append('/');
                }

                slug.Append(segment);
                segments++;
            }
        }
    }

    private static string Slug(string text, int maxLength) => TextSlug.Create(text, maxLength);

    private static string Hash(string identity)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(identity), hash);
        return Convert.ToHexStringLower(hash[..HashBytes]);
    }
}
