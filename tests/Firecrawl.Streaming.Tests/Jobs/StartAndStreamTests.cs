using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using static Firecrawl.Streaming.Tests.Jobs.JobRequests;

namespace Firecrawl.Streaming.Tests.Jobs;

/// <summary>Starting a job and streaming it at once: the pages arrive while the job is still running.</summary>
public class StartAndStreamTests : FakeServerTestBase
{
    [Fact]
    public async Task StartBatchScrapeAndStreamAsync_JobStillScraping_YieldsEveryPageOnceAsItFinishes()
    {
        string[] urls = [.. Enumerable.Range(0, 12).Select(i => $"https://shop.example/item/{i}")];
        using FirecrawlJobClient client = Client();

        JobPages pages = await client.StartBatchScrapeAndStreamAsync(new BatchScrapeRequest { Urls = urls }, cancellationToken: Ct);
        var statusWhenYielded = new List<string?>();
        var read = new List<ScrapedPage>();
        await foreach (ScrapedPage page in pages.WithCancellation(Ct))
        {
            statusWhenYielded.Add(pages.Status?.Status);
            read.Add(page);
        }

        Assert.Equal(Assert.Single(Server.StartedJobs).Id, pages.JobId);
        Assert.Equal(urls, read.Select(p => p.Metadata.SourceUrl));
        Assert.Equal(urls.Length, read.Select(p => p.Key).Distinct().Count());
        Assert.Contains("scraping", statusWhenYielded);
        Assert.Equal("completed", pages.Status?.Status);
        Assert.Single(Posts(Server));
    }

    [Fact]
    public async Task StartCrawlAndStreamAsync_CrawlStillRunning_YieldsEveryPageOnce()
    {
        using FirecrawlJobClient client = Client();

        JobPages pages = await client.StartCrawlAndStreamAsync(new CrawlRequest { Url = "https://docs.example.com", Limit = 7 }, new JobStreamOptions { Fields = PageFields.Metadata }, Ct);
        List<ScrapedPage> read = await ReadAllAsync(pages);

        FakeJob crawl = Assert.Single(Server.StartedJobs);
        Assert.Equal((JobKind.Crawl, crawl.Id), (pages.Kind, pages.JobId));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"https://docs.example.com/page-{i}"), read.Select(p => p.Metadata.SourceUrl));
        Assert.Null(read[0].Markdown);
        Assert.True(crawl.StatusRequests > 1, "the crawl was read in one request, so it was never seen running");
    }

    [Fact]
    public async Task StartBatchScrapeAndStreamAsync_StartRefused_ThrowsBeforeAnyStream()
    {
        Server.StartFaults.Enqueue(FakeStartFault.Status(402));
        using FirecrawlJobClient client = Client();

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() =>
            client.StartBatchScrapeAndStreamAsync(new BatchScrapeRequest { Urls = ["https://a.example/"] }, cancellationToken: Ct));

        Assert.Equal(402, error.Status);
        Assert.Single(Server.Requests);
    }
}
