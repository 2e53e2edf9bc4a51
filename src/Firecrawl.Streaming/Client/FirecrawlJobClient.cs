namespace Firecrawl.Streaming;

/// <summary>
/// Streams the pages of Firecrawl batch-scrape and crawl jobs, and starts, cancels and inspects them.
/// </summary>
/// <example>
/// <code>
/// using var client = new FirecrawlJobClient(); // one per application: it is thread-safe, and its connections are pooled
/// await foreach (ScrapedPage page in client.StreamCrawlAsync(jobId))
/// {
///     Console.WriteLine($"{page.Url}: {page.Markdown?.Length} chars");
/// }
/// </code>
/// </example>
public sealed partial class FirecrawlJobClient : IFirecrawlJobClient, IDisposable
{
    private readonly ApiConnection _api;

    /// <summary>Creates a client with the default options (the key comes from <c>FIRECRAWL_API_KEY</c>).</summary>
    /// <exception cref="ArgumentException">There is no API key.</exception>
    public FirecrawlJobClient()
        : this(options: null)
    {
    }

    /// <summary>Creates a client with its own <see cref="HttpClient"/>.</summary>
    /// <param name="options">The options; null for the defaults (the key then comes from <c>FIRECRAWL_API_KEY</c>).</param>
    /// <exception cref="ArgumentException">An option is invalid, or there is no API key.</exception>
    public FirecrawlJobClient(FirecrawlJobClientOptions? options)
    {
        _api = new ApiConnection(httpClient: null, Prepare(options));
    }

    /// <summary>Creates a client that sends its requests through <paramref name="httpClient"/> (which it does not dispose).</summary>
    /// <param name="httpClient">
    /// The HTTP client; its <see cref="HttpClient.BaseAddress"/> and default headers are not used for the key. If its
    /// handler follows redirects, a response from another origin is still refused.
    /// </param>
    /// <param name="options">The options; null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid, or there is no API key.</exception>
    public FirecrawlJobClient(HttpClient httpClient, FirecrawlJobClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _api = new ApiConnection(httpClient, Prepare(options));
    }

    /// <summary>
    /// Streams every page of a job in order: the first response, every chunk its <c>next</c> links lead to,
    /// and, while the job is still scraping, new pages as they are finished.
    /// </summary>
    /// <param name="kind">Whether the id is a batch scrape's or a crawl's.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="options">Field selection, resume token and buffer pooling; null for the defaults.</param>
    /// <param name="cancellationToken">Stops the stream.</param>
    /// <returns>
    /// The stream. Enumerating it sends the requests; its <see cref="JobPages.Status"/> shows the job's latest
    /// counts as each chunk arrives.
    /// </returns>
    public JobPages StreamJobAsync(JobKind kind, string jobId, JobStreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        options ??= new JobStreamOptions();
        options.Validate();
        return new JobPages(_api, JobEndpoint.For(kind), jobId, options, cancellationToken);
    }

    /// <summary>Streams every page of a batch-scrape job (<c>GET /v2/batch/scrape/{id}</c>); see <see cref="StreamJobAsync"/>.</summary>
    /// <param name="jobId">The batch scrape's id.</param>
    /// <param name="options">Field selection, resume token and buffer pooling; null for the defaults.</param>
    /// <param name="cancellationToken">Stops the stream.</param>
    /// <returns>The stream.</returns>
    public JobPages StreamBatchScrapeAsync(string jobId, JobStreamOptions? options = null, CancellationToken cancellationToken = default) =>
        StreamJobAsync(JobKind.BatchScrape, jobId, options, cancellationToken);

    /// <summary>Streams every page of a crawl (<c>GET /v2/crawl/{id}</c>); see <see cref="StreamJobAsync"/>.</summary>
    /// <param name="jobId">The crawl's id.</param>
    /// <param name="options">Field selection, resume token and buffer pooling; null for the defaults.</param>
    /// <param name="cancellationToken">Stops the stream.</param>
    /// <returns>The stream.</returns>
    public JobPages StreamCrawlAsync(string jobId, JobStreamOptions? options = null, CancellationToken cancellationToken = default) =>
        StreamJobAsync(JobKind.Crawl, jobId, options, cancellationToken);

    private static FirecrawlJobClientOptions Prepare(FirecrawlJobClientOptions? options)
    {
        // A copy: later changes to the caller's instance must not reach a client already running.
        FirecrawlJobClientOptions copy = (options ?? new FirecrawlJobClientOptions()).Clone();
        copy.Validate();
        return copy;
    }

    /// <summary>Disposes the <see cref="HttpClient"/> if the client created it.</summary>
    public void Dispose() => _api.Dispose();
}
