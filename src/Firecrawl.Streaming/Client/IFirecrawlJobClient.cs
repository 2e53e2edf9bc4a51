namespace Firecrawl.Streaming;

/// <summary>
/// The operations of <see cref="FirecrawlJobClient"/>, for code that takes the client as a dependency (it is registered
/// under this interface by <c>AddFirecrawlStreaming</c>) and for substituting it in an application's tests. The
/// members are documented on <see cref="FirecrawlJobClient"/>.
/// </summary>
/// <remarks>
/// A substitute that streams pages needs a <see cref="JobPages"/>, which only a client creates: point a real
/// <see cref="FirecrawlJobClient"/> at the testing kit's fake server (package <c>Firecrawl.Streaming.Testing</c>) and
/// return its streams, and fake the other operations as the test needs.
/// </remarks>
public interface IFirecrawlJobClient
{
    /// <summary>Streams every page of a job in order; see <see cref="FirecrawlJobClient.StreamJobAsync"/>.</summary>
    /// <param name="kind">Whether the id is a batch scrape's or a crawl's.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="options">Field selection, resume token and buffer pooling; null for the defaults.</param>
    /// <param name="cancellationToken">Stops the stream.</param>
    /// <returns>The stream.</returns>
    JobPages StreamJobAsync(JobKind kind, string jobId, JobStreamOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Streams every page of a batch scrape; see <see cref="FirecrawlJobClient.StreamBatchScrapeAsync"/>.</summary>
    /// <param name="jobId">The batch scrape's id.</param>
    /// <param name="options">Field selection, resume token and buffer pooling; null for the defaults.</param>
    /// <param name="cancellationToken">Stops the stream.</param>
    /// <returns>The stream.</returns>
    JobPages StreamBatchScrapeAsync(string jobId, JobStreamOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Streams every page of a crawl; see <see cref="FirecrawlJobClient.StreamCrawlAsync"/>.</summary>
    /// <param name="jobId">The crawl's id.</param>
    /// <param name="options">Field selection, resume token and buffer pooling; null for the defaults.</param>
    /// <param name="cancellationToken">Stops the stream.</param>
    /// <returns>The stream.</returns>
    JobPages StreamCrawlAsync(string jobId, JobStreamOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Finds out whether an id names a batch scrape or a crawl; see <see cref="FirecrawlJobClient.DetectJobKindAsync"/>.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <returns>The kind of job.</returns>
    Task<JobKind> DetectJobKindAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Gets the URLs of a job that failed to scrape; see <see cref="FirecrawlJobClient.GetErrorsAsync"/>.</summary>
    /// <param name="kind">Whether the id is a batch scrape's or a crawl's.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The failed scrapes and the URLs blocked by robots.txt.</returns>
    Task<JobErrors> GetErrorsAsync(JobKind kind, string jobId, CancellationToken cancellationToken = default);

    /// <summary>Cancels a running job; see <see cref="FirecrawlJobClient.CancelAsync"/>.</summary>
    /// <param name="kind">Whether the id is a batch scrape's or a crawl's.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the request (not the job).</param>
    /// <returns>The status the server answered.</returns>
    Task<JobStatus> CancelAsync(JobKind kind, string jobId, CancellationToken cancellationToken = default);

    /// <summary>Scrapes a job's failed URLs again as a new batch scrape; see <see cref="FirecrawlJobClient.RetryFailedAsync"/>.</summary>
    /// <param name="kind">Whether the id is a batch scrape's or a crawl's.</param>
    /// <param name="jobId">The job whose failures to retry.</param>
    /// <param name="batchTemplate">The options of the new batch; null for the server's defaults.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <returns>The new batch scrape.</returns>
    Task<StartedJob> RetryFailedAsync(JobKind kind, string jobId, BatchScrapeRequest? batchTemplate = null, CancellationToken cancellationToken = default);

    /// <summary>Starts a batch scrape; see <see cref="FirecrawlJobClient.StartBatchScrapeAsync"/>.</summary>
    /// <param name="request">The URLs and how to scrape them.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started job.</returns>
    Task<StartedJob> StartBatchScrapeAsync(BatchScrapeRequest request, CancellationToken cancellationToken = default);

    /// <summary>Starts a crawl; see <see cref="FirecrawlJobClient.StartCrawlAsync"/>.</summary>
    /// <param name="request">Where to start and what to follow.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started crawl.</returns>
    Task<StartedJob> StartCrawlAsync(CrawlRequest request, CancellationToken cancellationToken = default);

    /// <summary>Starts a batch scrape and streams its pages as they finish; see <see cref="FirecrawlJobClient.StartBatchScrapeAndStreamAsync"/>.</summary>
    /// <param name="request">The URLs and how to scrape them.</param>
    /// <param name="options">Field selection and buffer pooling for the stream; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start, and stops the stream.</param>
    /// <returns>The stream of the started job.</returns>
    Task<JobPages> StartBatchScrapeAndStreamAsync(BatchScrapeRequest request, JobStreamOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Starts a crawl and streams its pages as they finish; see <see cref="FirecrawlJobClient.StartCrawlAndStreamAsync"/>.</summary>
    /// <param name="request">Where to start and what to follow.</param>
    /// <param name="options">Field selection and buffer pooling for the stream; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start, and stops the stream.</param>
    /// <returns>The stream of the started crawl.</returns>
    Task<JobPages> StartCrawlAndStreamAsync(CrawlRequest request, JobStreamOptions? options = null, CancellationToken cancellationToken = default);
}
