namespace Firecrawl.Streaming;

/// <summary>A job Firecrawl accepted: what <c>POST /v2/batch/scrape</c> or <c>POST /v2/crawl</c> answered.</summary>
/// <param name="Kind">Whether it is a batch scrape or a crawl.</param>
/// <param name="Id">The job id, for streaming, cancelling and reading its errors.</param>
/// <param name="Url">
/// The job's status URL as the server sent it, or null when it sent none or an unusable one. Informational only:
/// the server builds it from whatever <c>Host</c> header reached it, so the client never sends a request to it.
/// </param>
/// <param name="InvalidUrls">The URLs the server skipped as invalid (batch scrapes with <c>ignoreInvalidURLs</c>); empty otherwise.</param>
/// <param name="IdempotencyKey">The <c>x-idempotency-key</c> the start was sent with (a new UUID per start).</param>
public sealed record StartedJob(JobKind Kind, string Id, Uri? Url, IReadOnlyList<string> InvalidUrls, string IdempotencyKey);
