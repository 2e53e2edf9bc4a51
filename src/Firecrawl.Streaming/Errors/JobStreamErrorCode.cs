namespace Firecrawl.Streaming;

/// <summary>What went wrong, for a <see cref="JobStreamException"/>.</summary>
public enum JobStreamErrorCode
{
    /// <summary>The server answered with an HTTP error status; see <see cref="FirecrawlApiException.Status"/>.</summary>
    HttpError = 0,

    /// <summary>The server answered HTTP 200 with <c>"success": false</c> (a job that failed to start).</summary>
    RequestFailed,

    /// <summary>The body is not valid JSON of the expected shape (truncated, malformed); see <see cref="JobStreamException.ByteOffset"/>.</summary>
    MalformedResponse,

    /// <summary>The body is not JSON at all (an HTML page from a proxy, say).</summary>
    NotJson,

    /// <summary>A page is larger than the configured maximum page size.</summary>
    PageTooLarge,

    /// <summary>The connection failed or dropped, or the body stalled, and retries were exhausted.</summary>
    Transport,

    /// <summary>The job's <c>next</c> cursor did not advance, or the job made no progress for the configured stall timeout.</summary>
    CursorStalled,

    /// <summary>A <c>next</c> link or a redirect leads to another job or another origin.</summary>
    InvalidCursor,

    /// <summary>A resume token or checkpoint was not written by this library, or belongs to another job or endpoint.</summary>
    InvalidResumeToken,

    /// <summary>
    /// A start request (<c>POST</c>) may have reached the server but no usable answer came back (a timeout, a
    /// dropped connection, a 5xx), so a job may or may not exist. It is not retried: look for the job
    /// (<c>GET /v2/team/activity</c>) before starting again. <see cref="FirecrawlApiException.IdempotencyKey"/> names the start.
    /// </summary>
    StartOutcomeUnknown,

    /// <summary>
    /// Pages of the job cannot all be delivered: the server's offsets kept moving beyond what gap repair may spend
    /// (<see cref="FirecrawlJobClientOptions.MaxGapRepairs"/>), or pages were listed before a resume point after it was
    /// written. Stream the job again (from the start) to get them.
    /// </summary>
    Incomplete,
}
