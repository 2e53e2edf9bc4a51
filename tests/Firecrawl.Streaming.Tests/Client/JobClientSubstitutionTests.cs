using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Pipeline;

namespace Firecrawl.Streaming.Tests.Client;

/// <summary>An application's own <see cref="IFirecrawlJobClient"/> (here a decorator) where the library takes a client.</summary>
public sealed class JobClientSubstitutionTests : FakeServerTestBase
{
    [Fact]
    public async Task StreamJobToSinksAsync_OnAnInterfaceImplementation_UsesItsOperations()
    {
        FakeJob job = Server.AddJob(Pages(25), new FakeJobOptions { PageLimit = 10 });
        using FirecrawlJobClient real = Client();
        var counting = new CountingClient(real);
        var sink = new RecordingSink();

        PipelineResult result = await counting.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [sink], new PipelineOptions(), Ct);

        Assert.Equal(25, sink.PagesWritten);
        Assert.Equal(1, counting.Streams);
        Assert.True(result.Coverage!.IsComplete);
    }

    /// <summary>Counts the streams it opens and hands every operation to the real client.</summary>
    private sealed class CountingClient(IFirecrawlJobClient inner) : IFirecrawlJobClient
    {
        public int Streams { get; private set; }

        public JobPages StreamJobAsync(JobKind kind, string jobId, JobStreamOptions? options = null, CancellationToken cancellationToken = default)
        {
            Streams++;
            return inner.StreamJobAsync(kind, jobId, options, cancellationToken);
        }

        public JobPages StreamBatchScrapeAsync(string jobId, JobStreamOptions? options = null, CancellationToken cancellationToken = default) =>
            StreamJobAsync(JobKind.BatchScrape, jobId, options, cancellationToken);

        public JobPages StreamCrawlAsync(string jobId, JobStreamOptions? options = null, CancellationToken cancellationToken = default) =>
            StreamJobAsync(JobKind.Crawl, jobId, options, cancellationToken);

        public Task<JobKind> DetectJobKindAsync(string jobId, CancellationToken cancellationToken = default) => inner.DetectJobKindAsync(jobId, cancellationToken);

        public Task<JobErrors> GetErrorsAsync(JobKind kind, string jobId, CancellationToken cancellationToken = default) => inner.GetErrorsAsync(kind, jobId, cancellationToken);

        public Task<JobStatus> CancelAsync(JobKind kind, string jobId, CancellationToken cancellationToken = default) => inner.CancelAsync(kind, jobId, cancellationToken);

        public Task<StartedJob> RetryFailedAsync(JobKind kind, string jobId, BatchScrapeRequest? batchTemplate = null, CancellationToken cancellationToken = default) =>
            inner.RetryFailedAsync(kind, jobId, batchTemplate, cancellationToken);

        public Task<StartedJob> StartBatchScrapeAsync(BatchScrapeRequest request, CancellationToken cancellationToken = default) => inner.StartBatchScrapeAsync(request, cancellationToken);

        public Task<StartedJob> StartCrawlAsync(CrawlRequest request, CancellationToken cancellationToken = default) => inner.StartCrawlAsync(request, cancellationToken);

        public Task<JobPages> StartBatchScrapeAndStreamAsync(BatchScrapeRequest request, JobStreamOptions? options = null, CancellationToken cancellationToken = default) =>
            inner.StartBatchScrapeAndStreamAsync(request, options, cancellationToken);

        public Task<JobPages> StartCrawlAndStreamAsync(CrawlRequest request, JobStreamOptions? options = null, CancellationToken cancellationToken = default) =>
            inner.StartCrawlAndStreamAsync(request, options, cancellationToken);
    }
}
