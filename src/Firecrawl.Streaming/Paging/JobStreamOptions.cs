namespace Firecrawl.Streaming;

/// <summary>Options for one <see cref="FirecrawlJobClient.StreamBatchScrapeAsync"/> stream.</summary>
public sealed class JobStreamOptions
{
    /// <summary>Gets or sets which page fields are kept; the rest are skipped without being materialized. Default: <see cref="PageFields.All"/>.</summary>
    public PageFields Fields { get; set; } = PageFields.All;

    /// <summary>
    /// Gets or sets a <see cref="ScrapedPage.ResumeToken"/>: the stream then yields exactly the pages after
    /// that page. Default: null (from the first page).
    /// </summary>
    public string? ResumeAfter { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether page buffers are rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/>;
    /// dispose each page when done with it to return its buffer. Default: false.
    /// </summary>
    public bool PoolPageBuffers { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether pages already delivered (same <c>metadata.scrapeId</c>, or the same bytes for a
    /// page without one) are dropped. It also decides gap repair: with false, pages are not compared across chunks, so pages
    /// the server's moving offsets hid are neither noticed nor looked for (a retry still never hands a page out twice). Default: true.
    /// </summary>
    public bool DropDuplicates { get; set; } = true;
}
