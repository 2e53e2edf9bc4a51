namespace Firecrawl.Streaming;

/// <summary>What the resume check makes of a page of a resumed stream's first chunk.</summary>
internal enum ResumeCheck : byte
{
    /// <summary>Not the resume point's business: an ordinary page.</summary>
    None,

    /// <summary>The page the token names: delivered by the earlier run, dropped.</summary>
    ResumePage,

    /// <summary>Listed before the page the token names: delivered by an earlier run, dropped.</summary>
    BeforeResumePoint,

    /// <summary>The token's offset holds another page: a response that repeated earlier pages, or pages were inserted before the resume point. The caller checks which.</summary>
    Moved,
}

/// <summary>
/// Where a resumed stream starts. It asks for the resumed page itself again and drops it when its identity matches. When
/// another page sits at the token's offset, the caller looks again with a one-page request: if the resumed page is there
/// now, the response had repeated earlier pages (dropped up to the resumed page); if not, pages were inserted before the
/// resume point since the token was written, which this run cannot check (they lie outside its range), and it fails
/// with <see cref="JobStreamErrorCode.Incomplete"/> instead of skipping them silently.
/// </summary>
internal struct ResumePoint
{
    private bool _pending;          // the first page of the first chunk has not been looked at yet
    private bool _dropUntilFound;   // a repeating first chunk: drop its pages until the resumed page shows up

    public long Skip { get; private set; }

    /// <summary>Gets the number of pages up to and including the token's page (positions count from 0).</summary>
    public long DeliveredBefore { get; private set; }

    /// <summary>Gets the identity of the token's page, when the token names its scrape id.</summary>
    public PageIdentity? PageId { get; private set; }

    /// <summary>Gets the scrape id the token names.</summary>
    public string? ScrapeId { get; private set; }

    public static ResumePoint From(string? token, JobKind kind, string jobId)
    {
        if (token is null)
        {
            return default;
        }

        if (!ResumeToken.TryParse(token, out JobKind tokenKind, out string tokenJob, out long position, out string? scrapeId))
        {
            throw new JobStreamException("The resume token is not one this library wrote.", JobStreamErrorCode.InvalidResumeToken) { JobId = jobId };
        }

        if (tokenKind != kind || !string.Equals(tokenJob, jobId, StringComparison.Ordinal))
        {
            throw new JobStreamException(
                $"The resume token belongs to {JobEndpoint.For(tokenKind).Noun} {tokenJob}, not {JobEndpoint.For(kind).Noun} {jobId}.",
                JobStreamErrorCode.InvalidResumeToken) { JobId = jobId };
        }

        return new ResumePoint
        {
            Skip = position,
            DeliveredBefore = position + 1,
            PageId = scrapeId is null ? null : PageIdentity.FromScrapeId(scrapeId),
            ScrapeId = scrapeId,
            _pending = true,
        };
    }

    /// <summary>Looks at a page of the first chunk.</summary>
    public ResumeCheck Inspect(in ChunkPage page)
    {
        if (_dropUntilFound)
        {
            _dropUntilFound = page.Id != PageId;
            return _dropUntilFound ? ResumeCheck.BeforeResumePoint : ResumeCheck.ResumePage;
        }

        if (!_pending)
        {
            return ResumeCheck.None;
        }

        _pending = false;
        if (page.Page.Position != Skip)
        {
            return ResumeCheck.None; // an empty first chunk: nothing to compare
        }

        return PageId is null || page.Id == PageId ? ResumeCheck.ResumePage : ResumeCheck.Moved;
    }

    /// <summary>The page the token names is at its offset after all: the first chunk repeated earlier pages; drop them until it.</summary>
    public void DropUntilResumePage() => _dropUntilFound = true;

    /// <summary>The first chunk has ended: whatever follows is after the resume point.</summary>
    public void EndFirstChunk()
    {
        _pending = false;
        _dropUntilFound = false;
    }
}
