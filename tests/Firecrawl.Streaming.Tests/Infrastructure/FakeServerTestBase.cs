using Firecrawl.Streaming.Testing;

namespace Firecrawl.Streaming.Tests.Infrastructure;

/// <summary>A fake server per test class instance, and a client tuned for fast tests (short delays).</summary>
public abstract class FakeServerTestBase : IAsyncLifetime
{
    protected FakeFirecrawlServer Server { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => Server = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync()
    {
        // xunit calls DisposeAsync alone on a class that has both: a derived class's Dispose (its temp directory, the
        // processes it started) would otherwise never run. It runs first, so that those processes end before the server.
        (this as IDisposable)?.Dispose();
        await Server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected FirecrawlJobClientOptions Options(Action<FirecrawlJobClientOptions>? configure = null)
    {
        var options = new FirecrawlJobClientOptions
        {
            BaseAddress = Server.BaseAddress,
            ApiKey = Server.ApiKey,
            MaxRetries = 3,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            MaxRetryDelay = TimeSpan.FromSeconds(5),
            PollInterval = TimeSpan.FromMilliseconds(20),
            BodyIdleTimeout = TimeSpan.FromSeconds(10),

            // The server's page size, which each test sets per job (FakeJobOptions.PageLimit) to page through
            // small jobs in several chunks; chunks are still fetched in parallel ranges of that size.
            ChunkLimit = null,
        };
        configure?.Invoke(options);
        return options;
    }

    protected FirecrawlJobClient Client(Action<FirecrawlJobClientOptions>? configure = null) => new(Options(configure));

    /// <summary>Small pages with deterministic scrape ids (<see cref="TestPages.ScrapeId"/>).</summary>
    protected static IReadOnlyList<byte[]> Pages(int count) => [.. Enumerable.Range(0, count).Select(i => TestPages.Json(i))];

    protected static async Task<List<ScrapedPage>> ReadAllAsync(IAsyncEnumerable<ScrapedPage> pages)
    {
        var list = new List<ScrapedPage>();
        await foreach (ScrapedPage page in pages.WithCancellation(Ct))
        {
            list.Add(page);
        }

        return list;
    }

    /// <summary>The page indices (from their scrape ids) in the order delivered.</summary>
    protected static int[] Indices(IEnumerable<ScrapedPage> pages) => [.. pages.Select(p => Index(p.Metadata.ScrapeId))];

    /// <summary>The index <see cref="TestPages.ScrapeId"/> encodes in its first four bytes, checked against the whole id.</summary>
    private static int Index(string? scrapeId)
    {
        int index = Guid.TryParse(scrapeId, out Guid id) ? BitConverter.ToInt32(id.ToByteArray(), 0) : -1;
        Assert.True(index >= 0 && TestPages.ScrapeId(index) == scrapeId, $"not a test page's scrape id: {scrapeId}");
        return index;
    }

    protected static int[] Range(int count) => [.. Enumerable.Range(0, count)];

    /// <summary>Both kinds of job, for theories that must hold for batch scrapes and crawls alike.</summary>
    public static TheoryData<JobKind> Kinds => [JobKind.BatchScrape, JobKind.Crawl];

    /// <summary>Adds a job of <paramref name="kind"/> (the options' <see cref="FakeJobOptions.Kind"/> is set to match).</summary>
    protected FakeJob AddJob(JobKind kind, IEnumerable<byte[]> pages, FakeJobOptions? options = null)
    {
        options ??= new FakeJobOptions();
        options.Kind = kind == JobKind.Crawl ? FakeJobKind.Crawl : FakeJobKind.BatchScrape;
        return Server.AddJob(pages, options);
    }

    /// <summary>The job's stream, through the endpoint of its kind.</summary>
    protected static JobPages Stream(FirecrawlJobClient client, FakeJob job, JobStreamOptions? options = null) =>
        client.StreamJobAsync(job.Kind == FakeJobKind.Crawl ? JobKind.Crawl : JobKind.BatchScrape, job.Id, options);

    protected List<RecordedRequest> StatusRequests(FakeJob job) =>
        [.. Server.Requests.Where(r => r.Path.EndsWith(job.Id, StringComparison.Ordinal))];
}
