namespace Firecrawl.Streaming;

/// <summary>Telling a batch scrape's id from a crawl's.</summary>
public sealed partial class FirecrawlJobClient
{
    /// <summary>
    /// Finds out whether <paramref name="jobId"/> names a batch scrape or a crawl, asking for one page of each
    /// (<c>limit=1</c>) until one is found: for tools that take an id without saying what it is.
    /// </summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <returns>The kind of job.</returns>
    /// <exception cref="FirecrawlApiException">Neither kind of job has this id (404), or a request failed.</exception>
    public async Task<JobKind> DetectJobKindAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        foreach (JobEndpoint endpoint in new[] { JobEndpoint.BatchScrape, JobEndpoint.Crawl })
        {
            try
            {
                await _api.GetSmallBodyAsync(endpoint.StatusUri(_api, jobId, 0, limit: 1), jobId, cancellationToken).ConfigureAwait(false);
                return endpoint.Kind;
            }
            catch (FirecrawlApiException e) when (e.Status == 404)
            {
                // Not this kind: try the next.
            }
        }

        throw new FirecrawlApiException(
            $"No batch scrape or crawl with id {jobId} was found; it may have expired.",
            JobStreamErrorCode.HttpError) { Status = 404, JobId = jobId };
    }
}
