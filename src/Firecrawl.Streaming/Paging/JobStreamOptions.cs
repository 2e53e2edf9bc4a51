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

    /// <summary>
    /// Gets or sets the listing offset (<c>skip</c>) the stream starts at when there is no <see cref="ResumeAfter"/>: with
    /// <see cref="StopAt"/>, one range of a job that several streams read at once. Default: 0.
    /// </summary>
    public long StartAt { get; set; }

    /// <summary>
    /// Gets or sets the listing offset the stream stops before (exclusive), or null to read to the job's end. The stream
    /// never requests at or past it and ends when its cursor reaches it (or the job's end, whichever comes first), without
    /// the end-of-job gap repair: a range has no end of job to check, and pages the server's moving offsets carried across
    /// the range's edges are the business of whoever reconciles the ranges. Dedupe, retries, gap repair inside the range,
    /// and resume tokens (a token from inside the range resumes inside it) work as for a whole job. Default: null.
    /// </summary>
    public long? StopAt { get; set; }

    /// <summary>Throws when an option is out of range.</summary>
    internal void Validate()
    {
        OptionRules.Require(StartAt >= 0, nameof(StartAt), "must be zero or more");
        OptionRules.Require(StopAt is null || StopAt > StartAt, nameof(StopAt), "must be greater than StartAt");
    }
}
