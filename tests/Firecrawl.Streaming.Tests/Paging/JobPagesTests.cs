using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Paging;

/// <summary>Paging over real sockets: chunks, cursors, polling, duplicates, resume and status.</summary>
public class JobPagesTests : FakeServerTestBase
{
    [Fact]
    public async Task StreamBatchScrapeAsync_ChunkedByLimit_YieldsEveryPageInOrder()
    {
        FakeJob job = Server.AddJob(Pages(250), new FakeJobOptions { PageLimit = 40 });
        using FirecrawlJobClient client = Client();

        List<ScrapedPage> pages = await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id));

        Assert.Equal(Range(250), Indices(pages));
        Assert.Equal(Range(250).Select(i => (long)i), pages.Select(p => p.Position));
        Assert.Equal(7, StatusRequests(job).Count);
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_ChunkedByByteCapWithOversizedPage_YieldsEveryPageInOrder()
    {
        List<byte[]> source = [.. Pages(30)];
        source[10] = TestPages.Json(10, markdown: new string('m', 300_000));
        FakeJob job = Server.AddJob(source, new FakeJobOptions { ChunkByteCap = 100_000 });
        using FirecrawlJobClient client = Client();

        List<ScrapedPage> pages = await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id));

        Assert.Equal(Range(30), Indices(pages));
        Assert.Equal(300_000, pages[10].Markdown!.Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StreamBatchScrapeAsync_ScrapingPhaseWithSameCursorNext_PollsUntilComplete(bool nextAfterData)
    {
        FakeJob job = Server.AddJob(Pages(60), new FakeJobOptions { ScrapingRequests = 6, PageLimit = 7, NextAfterData = nextAfterData });
        using FirecrawlJobClient client = Client();
        JobPages stream = client.StreamBatchScrapeAsync(job.Id);
        var statuses = new List<string>();
        stream.StatusChanged += (_, s) => statuses.Add(s.Status);

        List<ScrapedPage> pages = await ReadAllAsync(stream);

        Assert.Equal(Range(60), Indices(pages));
        Assert.Equal("scraping", statuses[0]);
        Assert.Equal("completed", stream.Status!.Status);
        Assert.Equal(60, stream.Status.Completed);
        Assert.Contains(StatusRequests(job), r => r.Query is "" or "?skip=0");
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_FinishedJobWithNextToEmptyChunk_Stops()
    {
        FakeJob job = Server.AddJob(Pages(20), new FakeJobOptions { PageLimit = 10, NextOnFinishedJob = true });
        using FirecrawlJobClient client = Client();

        List<ScrapedPage> pages = await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id));

        Assert.Equal(Range(20), Indices(pages));
        Assert.Equal(3, StatusRequests(job).Count);
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_OffsetShiftServesPagesTwice_DuplicatesDropped()
    {
        FakeJob job = Server.AddJob(Pages(30), new FakeJobOptions { PageLimit = 10 });
        job.Faults.Enqueue(FakeFault.DuplicatePages(3), atSkip: 10).Enqueue(FakeFault.DuplicatePages(2), atSkip: 17);
        using FirecrawlJobClient client = Client();
        JobPages stream = client.StreamBatchScrapeAsync(job.Id);

        List<ScrapedPage> pages = await ReadAllAsync(stream);

        Assert.Equal(Range(30), Indices(pages));
        Assert.Equal(5, stream.DuplicatesDropped);
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_ResumeFromEveryPage_YieldsExactlyThePagesAfterIt()
    {
        FakeJob job = Server.AddJob(Pages(23), new FakeJobOptions { PageLimit = 5 });
        using FirecrawlJobClient client = Client();
        List<ScrapedPage> all = await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id));

        for (int k = 0; k < all.Count; k++)
        {
            List<ScrapedPage> rest = await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id, new JobStreamOptions { ResumeAfter = all[k].ResumeToken }));
            Assert.Equal(Range(23).Skip(k + 1), Indices(rest));
        }
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_ResumeTokenOfAnotherJob_ThrowsInvalidResumeToken()
    {
        FakeJob first = Server.AddJob(Pages(3));
        FakeJob second = Server.AddJob(Pages(3));
        using FirecrawlJobClient client = Client();
        List<ScrapedPage> pages = await ReadAllAsync(client.StreamBatchScrapeAsync(first.Id));

        var error = await Assert.ThrowsAsync<JobStreamException>(() =>
            ReadAllAsync(client.StreamBatchScrapeAsync(second.Id, new JobStreamOptions { ResumeAfter = pages[0].ResumeToken })));

        Assert.Equal(JobStreamErrorCode.InvalidResumeToken, error.ErrorCode);
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_StatusVisibleAsChunksArrive_WithoutExtraRequests()
    {
        FakeJob job = Server.AddJob(Pages(12), new FakeJobOptions { PageLimit = 4 });
        using FirecrawlJobClient client = Client();
        JobPages stream = client.StreamBatchScrapeAsync(job.Id);
        JobStatus? seenAtFirstPage = null;

        await foreach (ScrapedPage page in stream.WithCancellation(Ct))
        {
            seenAtFirstPage ??= stream.Status;
        }

        Assert.NotNull(seenAtFirstPage);
        Assert.Equal(("completed", 12L, 12L), (seenAtFirstPage!.Status, seenAtFirstPage.Total, seenAtFirstPage.Completed));
        Assert.Equal(3, StatusRequests(job).Count);
        Assert.Equal(3, stream.ChunksReceived);
        Assert.True(stream.BytesReceived > 12 * 300);
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_FieldSelection_PagesHoldOnlySelectedFields()
    {
        FakeJob job = Server.AddJob(FakePageGenerator.Generate(20));
        using FirecrawlJobClient client = Client();

        List<ScrapedPage> pages = await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id, new JobStreamOptions { Fields = PageFields.Markdown | PageFields.Metadata }));

        Assert.Equal(20, pages.Count);
        Assert.All(pages, p =>
        {
            Assert.NotNull(p.Markdown);
            Assert.Null(p.Html);
            Assert.Empty(p.Links);
            Assert.NotNull(p.Metadata.ScrapeId);
            Assert.DoesNotContain("\"html\"", System.Text.Encoding.UTF8.GetString(p.Utf8Json.Span), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_ConsumerStopsEarly_NoFurtherRequests()
    {
        FakeJob job = Server.AddJob(Pages(100), new FakeJobOptions { PageLimit = 10 });
        using FirecrawlJobClient client = Client();

        await foreach (ScrapedPage page in client.StreamBatchScrapeAsync(job.Id).WithCancellation(Ct))
        {
            if (page.Position == 3)
            {
                break;
            }
        }

        await Task.Delay(200, Ct);
        Assert.InRange(StatusRequests(job).Count, 1, 2); // the current chunk, and at most the prefetched next one
    }
}
