using System.Security.Cryptography;
using System.Text;

namespace Firecrawl.Streaming.Sinks.Lucene;

/// <summary>
/// The names of the fields <see cref="LuceneIndexSink"/> writes, for queries that name a field
/// (<c>title:pricing</c>, <c>statusCode:[400 TO 499]</c>) and for code that reads the index directly.
/// </summary>
/// <remarks>
/// The exact-term fields (<see cref="Url"/>, <see cref="Key"/>, <see cref="JobId"/>, <see cref="Language"/>) store the
/// whole value and index it as one term through <see cref="ExactTerm"/>: a value longer than
/// <see cref="MaxExactTermBytes"/> is indexed as its beginning and a hash, since Lucene rejects terms over 32,766 bytes
/// and one such page would fail every run that reaches it. Queries through <see cref="LuceneIndex"/> apply the same
/// rule, so <c>url:"…"</c> still finds a page by its whole, long URL.
/// </remarks>
public static class LuceneFields
{
    /// <summary>The longest value, in UTF-8 bytes, of an exact-term field that is indexed as it is.</summary>
    public const int MaxExactTermBytes = 1024;

    /// <summary>
    /// The page's <see cref="ScrapedPage.Url"/> (its <see cref="ScrapedPage.Key"/> when it has none), indexed as one
    /// exact term and stored. Several pages may share a URL: documents are keyed by <see cref="Key"/>.
    /// </summary>
    public const string Url = "url";

    /// <summary>The page's <see cref="ScrapedPage.Key"/>, indexed as one exact term and stored: the upsert key.</summary>
    public const string Key = "key";

    /// <summary>The page's <c>metadata.scrapeId</c>, stored only (absent when the page has none).</summary>
    public const string ScrapeId = "scrapeId";

    /// <summary>The id of the batch job the page came from, indexed as one exact term and stored.</summary>
    public const string JobId = "jobId";

    /// <summary>The page title, analyzed for full-text search and stored.</summary>
    public const string Title = "title";

    /// <summary>The page description, analyzed for full-text search and stored.</summary>
    public const string Description = "description";

    /// <summary>The page as Markdown, analyzed for full-text search; stored unless <see cref="LuceneIndexSinkOptions.StoreMarkdown"/> is off.</summary>
    public const string Markdown = "markdown";

    /// <summary>The HTTP status of the scraped page, indexed as a number (range queries work) and stored.</summary>
    public const string StatusCode = "statusCode";

    /// <summary>The page's position in its job, indexed as a number and stored.</summary>
    public const string Position = "position";

    /// <summary>The page language (<c>metadata.language</c>), indexed as one exact term and stored.</summary>
    public const string Language = "language";

    /// <summary>The commit user-data key that records which analyzer built the index, so searches analyze queries alike.</summary>
    internal const string AnalyzerCommitKey = "firecrawl.analyzer";

    // The hash suffix: '#' and 16 hex digits of the SHA-256 of the whole value.
    private const int HashSuffixLength = 17;

    /// <summary>
    /// Gets the term an exact-term field indexes for <paramref name="value"/>: the value itself when it has at most
    /// <see cref="MaxExactTermBytes"/> UTF-8 bytes, else its beginning (cut at a character boundary) followed by
    /// <c>#</c> and 16 hex digits of the SHA-256 of the whole value, which stays unique per value.
    /// </summary>
    /// <param name="value">The field value.</param>
    /// <returns>The term to index or to search for.</returns>
    public static string ExactTerm(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (Encoding.UTF8.GetMaxByteCount(value.Length) <= MaxExactTermBytes || Encoding.UTF8.GetByteCount(value) <= MaxExactTermBytes)
        {
            return value;
        }

        // Keep whole characters (never half a surrogate pair) up to the byte budget left for the beginning.
        int budget = MaxExactTermBytes - HashSuffixLength;
        int kept = 0;
        int bytes = 0;
        while (kept < value.Length)
        {
            int width = char.IsHighSurrogate(value[kept]) && kept + 1 < value.Length ? 2 : 1;
            int size = Encoding.UTF8.GetByteCount(value.AsSpan(kept, width));
            if (bytes + size > budget)
            {
                break;
            }

            bytes += size;
            kept += width;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(value), hash);
        return string.Concat(value.AsSpan(0, kept), "#", Convert.ToHexStringLower(hash[..8]));
    }
}
