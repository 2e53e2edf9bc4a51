namespace Firecrawl.Streaming;

/// <summary>Parses a page read back from storage (a JSON Lines file, a blob) into a <see cref="ScrapedPage"/>.</summary>
public static class PageParser
{
    /// <summary>
    /// The deepest nesting of JSON objects and arrays the stream reads (the response envelope included) and a stored
    /// page is read back with: anything the stream delivered, a sink can read again.
    /// </summary>
    public const int MaxDepth = 256;

    /// <summary>Parses one page object.</summary>
    /// <param name="utf8Json">The page's JSON object.</param>
    /// <param name="jobId">The job the page belongs to.</param>
    /// <param name="position">The page's position in the job.</param>
    /// <param name="kind">The kind of job the page belongs to.</param>
    /// <returns>The page, holding a copy of the bytes.</returns>
    /// <exception cref="JobStreamException">The bytes are not one JSON object.</exception>
    public static ScrapedPage Parse(ReadOnlySpan<byte> utf8Json, string jobId = "", long position = 0, JobKind kind = JobKind.BatchScrape)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        utf8Json = utf8Json.Trim(" \t\r\n"u8);
        PageLayout layout = PageScanner.ScanStandalone(utf8Json);
        byte[] copy = utf8Json.ToArray();
        return new ScrapedPage(copy, copy.Length, pool: null, layout, kind, jobId, position);
    }
}
