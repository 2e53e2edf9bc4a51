using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using static Firecrawl.Streaming.Tests.Jobs.JobRequests;

namespace Firecrawl.Streaming.Tests.Jobs;

/// <summary><c>RetryFailedAsync</c>: a new batch scrape of exactly the failed URLs.</summary>
public class RetryFailedTests : FakeServerTestBase
{
    [Fact]
    public async Task RetryFailedAsync_FailuresWithRepeatsAndRobotsBlocks_StartsABatchOfEachFailedUrlOnceInOrder()
    {
        FakeJob job = Server.AddJob(Pages(2), new FakeJobOptions
        {
            Errors =
            [
                new FakeScrapeError("https://a.example/timeout", "Timeout", "SCRAPE_TIMEOUT"),
                new FakeScrapeError("https://a.example/private", "URL blocked by robots.txt"),
                new FakeScrapeError("https://a.example/500", "Server error"),
                new FakeScrapeError("https://a.example/timeout", "Timeout again"),
            ],
            RobotsBlocked = ["https://a.example/private"],
        });
        using FirecrawlJobClient client = Client();

        StartedJob retry = await client.RetryFailedAsync(JobKind.BatchScrape, job.Id, cancellationToken: Ct);

        RecordedRequest post = Assert.Single(Posts(Server));
        Assert.Equal(["urls"], Names(Body(post)));
        Assert.Equal(["https://a.example/timeout", "https://a.example/500"], Strings(Body(post).GetProperty("urls")));
        Assert.Equal((JobKind.BatchScrape, Assert.Single(Server.StartedJobs).Id), (retry.Kind, retry.Id));
        Assert.Equal(2, Server.StartedJobs[0].PageCount);
    }

    [Fact]
    public async Task RetryFailedAsync_Template_CopiesItsOptionsAndReplacesItsUrls()
    {
        FakeJob job = Server.AddJob(Pages(1), new FakeJobOptions { Errors = [new FakeScrapeError("https://a.example/x", "Timeout")] });
        using FirecrawlJobClient client = Client();
        var template = new BatchScrapeRequest
        {
            Urls = ["https://ignored.example/"],
            ScrapeOptions = new PageScrapeOptions { Formats = ["html"], Timeout = 90_000 },
            MaxConcurrency = 1,
        };

        await client.RetryFailedAsync(JobKind.BatchScrape, job.Id, template, Ct);

        var body = Body(Assert.Single(Posts(Server)));
        Assert.Equal(Sorted("urls", "formats", "timeout", "maxConcurrency"), Names(body));
        Assert.Equal(["https://a.example/x"], Strings(body.GetProperty("urls")));
        Assert.Equal(90_000, body.GetProperty("timeout").GetInt32());
        Assert.Equal(["https://ignored.example/"], template.Urls);
    }

    [Fact]
    public async Task RetryFailedAsync_Crawl_RetriesAsABatchScrape()
    {
        FakeJob crawl = Server.AddJob(Pages(3), new FakeJobOptions
        {
            Kind = FakeJobKind.Crawl,
            Errors = [new FakeScrapeError("https://docs.example.com/broken", "Timeout")],
        });
        using FirecrawlJobClient client = Client();

        StartedJob retry = await client.RetryFailedAsync(JobKind.Crawl, crawl.Id, cancellationToken: Ct);

        Assert.Equal($"/v2/crawl/{crawl.Id}/errors", Server.Requests[0].Path);
        Assert.Equal("/v2/batch/scrape", Assert.Single(Posts(Server)).Path);
        Assert.Equal(JobKind.BatchScrape, retry.Kind);
        Assert.Equal(FakeJobKind.BatchScrape, Assert.Single(Server.StartedJobs).Kind);
    }

    [Fact]
    public async Task RetryFailedAsync_OnlyRobotsBlocked_ThrowsInvalidOperationWithoutStarting()
    {
        FakeJob job = Server.AddJob(Pages(1), new FakeJobOptions
        {
            Errors = [new FakeScrapeError("https://a.example/private", "URL blocked by robots.txt")],
            RobotsBlocked = ["https://a.example/private"],
        });
        using FirecrawlJobClient client = Client();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.RetryFailedAsync(JobKind.BatchScrape, job.Id, cancellationToken: Ct));

        Assert.Contains("no failed URLs to retry", error.Message, StringComparison.Ordinal);
        Assert.Contains("1 URLs blocked by robots.txt", error.Message, StringComparison.Ordinal);
        Assert.Empty(Posts(Server));
    }
}
