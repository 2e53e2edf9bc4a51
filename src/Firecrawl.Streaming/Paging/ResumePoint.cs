namespace Firecrawl.Streaming;

/// <summary>
/// Where a resumed stream starts. It asks for the resumed page itself again and drops it when its scrape
/// id matches; if the server's offsets have shifted, nothing is dropped, since a page written twice is
/// harmless to idempotent sinks and a page lost is not.
/// </summary>
internal struct ResumePoint
{
    private long _position;
    private string? _scrapeId;
    private bool _pending;

    public long Skip { get; private set; }

    /// <summary>Gets the number of pages up to and including the token's page (positions count from 0).</summary>
    public long DeliveredBefore { get; private set; }

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
                $"The resume token belongs to {ResumeToken.KindName(tokenKind)} {tokenJob}, not {ResumeToken.KindName(kind)} {jobId}.",
                JobStreamErrorCode.InvalidResumeToken) { JobId = jobId };
        }

        return new ResumePoint { Skip = position, DeliveredBefore = position + 1, _position = position, _scrapeId = scrapeId, _pending = true };
    }

    /// <summary>Whether the page is the one the token marks (checked on the first page only).</summary>
    public bool IsAlreadyDelivered(ScrapedPage page)
    {
        if (!_pending)
        {
            return false;
        }

        if (page.Position != _position)
        {
            _pending = false;
            return false;
        }

        _pending = false;
        return _scrapeId is null || string.Equals(page.Metadata.ScrapeId, _scrapeId, StringComparison.Ordinal);
    }
}
