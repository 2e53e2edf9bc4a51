namespace Firecrawl.Streaming;

/// <summary>Starting jobs, and starting them with their pages streamed as they finish.</summary>
public sealed partial class FirecrawlJobClient
{
    /// <summary>Starts a batch scrape (<c>POST /v2/batch/scrape</c>).</summary>
    /// <remarks>
    /// <para>
    /// A start is one <c>POST</c> carrying a new <c>x-idempotency-key</c> (a UUID; <see cref="StartedJob.IdempotencyKey"/>).
    /// It is sent again only when it certainly never reached the server: when no connection could be made, and after a
    /// 429 (waiting as long as the server asks, within <see cref="FirecrawlJobClientOptions.MaxRetryDelay"/>), up to
    /// <see cref="FirecrawlJobClientOptions.MaxRetries"/> times.
    /// </para>
    /// <para>
    /// It is never sent again once it may have arrived: a timeout waiting for the answer, a connection dropped after
    /// the request was written, an answer cut short, and any 5xx (which comes from something that received the request)
    /// throw <see cref="FirecrawlApiException"/> with <see cref="JobStreamErrorCode.StartOutcomeUnknown"/> and the
    /// <see cref="FirecrawlApiException.IdempotencyKey"/>. The job may exist: look for it (<c>GET /v2/team/activity</c>)
    /// before starting again. The v2 batch start does not check idempotency keys, so a replay could run the job twice.
    /// Cancelling <c>cancellationToken</c> after the request was sent leaves the outcome just as unknown.
    /// </para>
    /// </remarks>
    /// <param name="request">The URLs and how to scrape them. The body must fit in 10,000,000 bytes: split longer lists into several jobs.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started job.</returns>
    /// <exception cref="ArgumentException">
    /// There are no URLs; <see cref="BatchScrapeRequest.IgnoreInvalidUrls"/> is false and some URLs are not absolute
    /// http or https URLs; a key of <see cref="PageScrapeOptions.AdditionalProperties"/> repeats another; or the body
    /// is larger than 10,000,000 bytes. Nothing was sent.
    /// </exception>
    /// <exception cref="FirecrawlApiException">
    /// The server refused the start (400, 401, 402 when the credits do not cover the URLs, 403, 413, or 429 after
    /// the retries) and no job was started; or <see cref="JobStreamErrorCode.StartOutcomeUnknown"/>.
    /// </exception>
    public Task<StartedJob> StartBatchScrapeAsync(BatchScrapeRequest request, CancellationToken cancellationToken = default)
    {
        // The body is built and checked before the task starts, so a bad request fails before anything is sent.
        byte[] body = StartBodies.Batch(request);
        return JobStarter.StartAsync(_api, JobEndpoint.BatchScrape, body, cancellationToken);
    }

    /// <summary>
    /// Starts a crawl (<c>POST /v2/crawl</c>). It is retried, and a lost answer reported, exactly as for
    /// <see cref="StartBatchScrapeAsync"/>: never sent again once it may have reached the server.
    /// </summary>
    /// <param name="request">Where to start and what to follow.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started crawl.</returns>
    /// <exception cref="ArgumentException">
    /// <see cref="CrawlRequest.Url"/> is not an absolute http or https URL, or a key of
    /// <see cref="PageScrapeOptions.AdditionalProperties"/> repeats another. Nothing was sent.
    /// </exception>
    /// <exception cref="FirecrawlApiException">
    /// The server refused the start and no job was started; or <see cref="JobStreamErrorCode.StartOutcomeUnknown"/>.
    /// </exception>
    public Task<StartedJob> StartCrawlAsync(CrawlRequest request, CancellationToken cancellationToken = default)
    {
        byte[] body = StartBodies.Crawl(request);
        return JobStarter.StartAsync(_api, JobEndpoint.Crawl, body, cancellationToken);
    }

    /// <summary>
    /// Starts a batch scrape and streams its pages as they finish, while the job is still scraping; see
    /// <see cref="StartBatchScrapeAsync"/> and <see cref="StreamJobAsync"/>.
    /// </summary>
    /// <param name="request">The URLs and how to scrape them.</param>
    /// <param name="options">Field selection and buffer pooling for the stream; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start, and stops the stream.</param>
    /// <returns>The stream of the started job (its <see cref="JobPages.JobId"/> names it).</returns>
    /// <exception cref="ArgumentException">The request is invalid; nothing was sent.</exception>
    /// <exception cref="FirecrawlApiException">The start failed, as <see cref="StartBatchScrapeAsync"/> describes.</exception>
    public async Task<JobPages> StartBatchScrapeAndStreamAsync(BatchScrapeRequest request, JobStreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        StartedJob job = await StartBatchScrapeAsync(request, cancellationToken).ConfigureAwait(false);
        return StreamJobAsync(job.Kind, job.Id, options, cancellationToken);
    }

    /// <summary>
    /// Starts a crawl and streams its pages as they finish, while it is still crawling; see
    /// <see cref="StartCrawlAsync"/> and <see cref="StreamJobAsync"/>.
    /// </summary>
    /// <param name="request">Where to start and what to follow.</param>
    /// <param name="options">Field selection and buffer pooling for the stream; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start, and stops the stream.</param>
    /// <returns>The stream of the started crawl (its <see cref="JobPages.JobId"/> names it).</returns>
    /// <exception cref="ArgumentException">The request is invalid; nothing was sent.</exception>
    /// <exception cref="FirecrawlApiException">The start failed, as <see cref="StartCrawlAsync"/> describes.</exception>
    public async Task<JobPages> StartCrawlAndStreamAsync(CrawlRequest request, JobStreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        StartedJob job = await StartCrawlAsync(request, cancellationToken).ConfigureAwait(false);
        return StreamJobAsync(job.Kind, job.Id, options, cancellationToken);
    }
}
