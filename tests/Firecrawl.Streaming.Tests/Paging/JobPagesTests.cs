using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Paging;

/// <summary>Paging over real sockets: chunks, cursors, polling, duplicates, resume and status.</summary>
public class JobPagesTests : FakeServerTestBase
{
    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_ChunkedByLimit_YieldsEveryPageInOrder(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(250), new FakeJobOptions { PageLimit = 40 });
        using FirecrawlJobClient client = Client();

        List<ScrapedPage> pages = await ReadAllAsync(Stream(client, job));

        Assert.Equal(Range(250), Indices(pages));
        Assert.Equal(Range(250).Select(i => (long)i), pages.Select(p => p.Position));
        Assert.Equal(7, StatusRequests(job).Count);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_ChunkedByByteCapWithOversizedPage_YieldsEveryPageInOrder(JobKind kind)
    {
        List<byte[]> source = [.. Pages(30)];
        source[10] = TestPages.Json(10, markdown: new string('m', 300_000));
        FakeJob job = AddJob(kind, source, new FakeJobOptions { ChunkByteCap = 100_000 });
        using FirecrawlJobClient client = Client();

        List<ScrapedPage> pages = await ReadAllAsync(Stream(client, job));

        Assert.Equal(Range(30), Indices(pages));
        Assert.Equal(300_000, pages[10].Markdown!.Length);
    }

    public static TheoryData<JobKind, bool> KindsAndNextPlacements => new MatrixTheoryData<JobKind, bool>([JobKind.BatchScrape, JobKind.Crawl], [false, true]);

    [Theory]
    [MemberData(nameof(KindsAndNextPlacements))]
    public async Task StreamJobAsync_ScrapingPhaseWithSameCursorNext_PollsUntilComplete(JobKind kind, bool nextAfterData)
    {
        FakeJob job = AddJob(kind, Pages(60), new FakeJobOptions { ScrapingRequests = 6, PageLimit = 7, NextAfterData = nextAfterData });
        using FirecrawlJobClient client = Client();
        JobPages stream = Stream(client, job);
        var statuses = new List<string>();
        stream.StatusChanged += (_, s) => statuses.Add(s.Status);

        List<ScrapedPage> pages = await ReadAllAsync(stream);

        Assert.Equal(Range(60), Indices(pages));
        Assert.Equal("scraping", statuses[0]);
        Assert.Equal("completed", stream.Status!.Status);
        Assert.Equal(60, stream.Status.Completed);
        Assert.Contains(StatusRequests(job), r => r.Query is "" or "?skip=0");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_FinishedJobWithNextToEmptyChunk_Stops(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(20), new FakeJobOptions { PageLimit = 10, NextOnFinishedJob = true });
        using FirecrawlJobClient client = Client();

        List<ScrapedPage> pages = await ReadAllAsync(Stream(client, job));

        Assert.Equal(Range(20), Indices(pages));
        Assert.Equal(3, StatusRequests(job).Count);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_OffsetShiftServesPagesTwice_DuplicatesDropped(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(30), new FakeJobOptions { PageLimit = 10 });
        job.Faults.Enqueue(FakeFault.DuplicatePages(3), atSkip: 10).Enqueue(FakeFault.DuplicatePages(2), atSkip: 17);
        using FirecrawlJobClient client = Client();
        JobPages stream = Stream(client, job);

        List<ScrapedPage> pages = await ReadAllAsync(stream);

        Assert.Equal(Range(30), Indices(pages));
        Assert.Equal(5, stream.DuplicatesDropped);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_ResumeFromEveryPage_YieldsExactlyThePagesAfterIt(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(23), new FakeJobOptions { PageLimit = 5 });
        using FirecrawlJobClient client = Client();
        List<ScrapedPage> all = await ReadAllAsync(Stream(client, job));

        for (int k = 0; k < all.Count; k++)
        {
            List<ScrapedPage> rest = await ReadAllAsync(Stream(client, job, new JobStreamOptions { ResumeAfter = all[k].ResumeToken }));
            Assert.Equal(Range(23).Skip(k + 1), Indices(rest));
        }
    }

    [Fact]
    public async Task StreamJobAsync_ResumeTokenOfAnotherJob_ThrowsInvalidResumeToken()
    {
        FakeJob first = Server.AddJob(Pages(3));
        FakeJob second = Server.AddJob(Pages(3));
        using FirecrawlJobClient client = Client();
        List<ScrapedPage> pages = await ReadAllAsync(client.StreamBatchScrapeAsync(first.Id));

        var error = await Assert.ThrowsAsync<JobStreamException>(() =>
            ReadAllAsync(client.StreamBatchScrapeAsync(second.Id, new JobStreamOptions { ResumeAfter = pages[0].ResumeToken })));

        Assert.Equal(JobStreamErrorCode.InvalidResumeToken, error.ErrorCode);
    }

    [Theory]
    [InlineData(JobKind.BatchScrape, JobKind.Crawl)]
    [InlineData(JobKind.Crawl, JobKind.BatchScrape)]
    public async Task StreamJobAsync_ResumeTokenOfTheOtherKindOfJob_ThrowsInvalidResumeToken(JobKind written, JobKind read)
    {
        FakeJob job = AddJob(written, Pages(3));
        using FirecrawlJobClient client = Client();
        List<ScrapedPage> pages = await ReadAllAsync(Stream(client, job));

        // Same id, other endpoint: a token never crosses from one kind of job to the other.
        var error = await Assert.ThrowsAsync<JobStreamException>(() =>
            ReadAllAsync(client.StreamJobAsync(read, job.Id, new JobStreamOptions { ResumeAfter = pages[0].ResumeToken })));

        Assert.Equal(JobStreamErrorCode.InvalidResumeToken, error.ErrorCode);
        Assert.Single(StatusRequests(job));
    }

    [Fact]
    public async Task StreamJobAsync_StatusVisibleAsChunksArrive_WithoutExtraRequests()
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
    public async Task StreamJobAsync_FieldSelection_PagesHoldOnlySelectedFields()
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

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_ConsumerStopsEarly_NoFurtherRequests(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(100), new FakeJobOptions { PageLimit = 10 });
        using FirecrawlJobClient client = Client();

        await foreach (ScrapedPage page in Stream(client, job).WithCancellation(Ct))
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
