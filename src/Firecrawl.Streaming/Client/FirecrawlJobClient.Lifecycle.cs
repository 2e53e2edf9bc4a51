namespace Firecrawl.Streaming;

/// <summary>Cancelling jobs, and scraping their failed URLs again.</summary>
public sealed partial class FirecrawlJobClient
{
    /// <summary>
    /// Cancels a running job (<c>DELETE /v2/{batch/scrape|crawl}/{id}</c>). Cancelling twice has the effect of
    /// cancelling once, so transient failures are retried as a GET's are. A stream of the job ends once it sees
    /// the job <c>cancelled</c>, after the pages that had finished.
    /// </summary>
    /// <param name="kind">Whether the id is a batch scrape's or a crawl's.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the request (not the job).</param>
    /// <returns>
    /// The status the server answered, <c>cancelled</c>. The answer carries no counts, so <see cref="JobStatus.Total"/>,
    /// <see cref="JobStatus.Completed"/> and <see cref="JobStatus.CreditsUsed"/> are 0; stream or poll the job for them.
    /// </returns>
    /// <exception cref="FirecrawlApiException">
    /// 409 (<see cref="FirecrawlApiException.Status"/>) when the job had already finished (completed, failed or
    /// cancelled); 404 when it does not exist or has expired; or another failure of the request.
    /// </exception>
    public Task<JobStatus> CancelAsync(JobKind kind, string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        return JobCanceller.CancelAsync(_api, JobEndpoint.For(kind), jobId, cancellationToken);
    }

    /// <summary>
    /// Scrapes a job's failed URLs again, as a new batch scrape: reads the job's errors (<see cref="GetErrorsAsync"/>)
    /// and starts a batch of the failed URLs, each once, in the order reported. URLs blocked by robots.txt are not
    /// retried. For a crawl too the retry is a batch scrape: the failed pages are known, there is nothing left to discover.
    /// </summary>
    /// <param name="kind">Whether the id is a batch scrape's or a crawl's.</param>
    /// <param name="jobId">The job whose failures to retry.</param>
    /// <param name="batchTemplate">
    /// The options of the new batch (scrape options, webhook ...); its <see cref="BatchScrapeRequest.Urls"/> are
    /// replaced by the failed URLs. Null: the server's defaults. The options of the original job are not known to the
    /// client, so pass them here to scrape the pages the same way.
    /// </param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <returns>The new batch scrape.</returns>
    /// <exception cref="InvalidOperationException">The job has no failed URLs to retry (an exception rather than null, so that no caller goes on with a job that was never started).</exception>
    /// <exception cref="FirecrawlApiException">Reading the errors failed, or the start failed as <see cref="StartBatchScrapeAsync"/> describes.</exception>
    public async Task<StartedJob> RetryFailedAsync(JobKind kind, string jobId, BatchScrapeRequest? batchTemplate = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        JobErrors errors = await GetErrorsAsync(kind, jobId, cancellationToken).ConfigureAwait(false);
        string[] failed = FailedUrls.From(errors);
        if (failed.Length == 0)
        {
            string noun = JobEndpoint.For(kind).Noun;
            throw new InvalidOperationException(
                $"The {noun} {jobId} has no failed URLs to retry ({errors.Errors.Count} failures reported, {errors.RobotsBlocked.Count} URLs blocked by robots.txt, which are not retried).");
        }

        BatchScrapeRequest request = batchTemplate is null ? new BatchScrapeRequest { Urls = failed } : batchTemplate with { Urls = failed };
        return await StartBatchScrapeAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
