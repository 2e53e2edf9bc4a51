using System.Diagnostics;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Paging;

/// <summary>Every fault over a real socket, asserting the exact pages delivered.</summary>
public class JobPagesFaultTests : FakeServerTestBase
{
    private async Task<JobStreamException> FailingReadAsync(FakeJob job, FirecrawlJobClient client, List<ScrapedPage>? delivered = null)
    {
        var error = await Assert.ThrowsAnyAsync<JobStreamException>(async () =>
        {
            await foreach (ScrapedPage page in client.StreamBatchScrapeAsync(job.Id).WithCancellation(Ct))
            {
                delivered?.Add(page);
            }
        });
        Assert.DoesNotContain(Server.ApiKey, error.ToString(), StringComparison.Ordinal);
        return error;
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_429WithRetryAfterHeader_WaitsThenDeliversEverything()
    {
        FakeJob job = Server.AddJob(Pages(20), new FakeJobOptions { PageLimit = 10 });
        job.Faults.Enqueue(FakeFault.Status(429, "Rate limit exceeded", retryAfter: TimeSpan.FromSeconds(1)), atSkip: 10);
        using FirecrawlJobClient client = Client();
        var clock = Stopwatch.StartNew();

        List<ScrapedPage> pages = await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id));

        Assert.Equal(Range(20), Indices(pages));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), $"waited only {clock.Elapsed}");
        Assert.Equal(3, StatusRequests(job).Count);
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_429WithDelayInMessage_WaitsThenDeliversEverything()
    {
        FakeJob job = Server.AddJob(Pages(5));
        job.Faults.Enqueue(FakeFault.Status(429)); // "... please retry after 1s, resets at ..."
        using FirecrawlJobClient client = Client();
        var clock = Stopwatch.StartNew();

        List<ScrapedPage> pages = await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id));

        Assert.Equal(Range(5), Indices(pages));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), $"waited only {clock.Elapsed}");
    }

    [Theory]
    [InlineData(408)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task StreamBatchScrapeAsync_TransientStatus_RetriedFromTheSameCursor(int status)
    {
        FakeJob job = Server.AddJob(Pages(30), new FakeJobOptions { PageLimit = 10 });
        job.Faults.Enqueue(FakeFault.Status(status), atSkip: 10).Enqueue(FakeFault.Status(status), atSkip: 10);
        using FirecrawlJobClient client = Client();

        List<ScrapedPage> pages = await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id));

        Assert.Equal(Range(30), Indices(pages));
        Assert.Equal(3, StatusRequests(job).Count(r => r.Query.Contains("skip=10", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_RetriesExhausted_ThrowsWithStatusAfterDeliveringEarlierPages()
    {
        FakeJob job = Server.AddJob(Pages(20), new FakeJobOptions { PageLimit = 10 });
        for (int i = 0; i < 4; i++)
        {
            job.Faults.Enqueue(FakeFault.Status(503), atSkip: 10);
        }

        using FirecrawlJobClient client = Client(o => o.MaxRetries = 3);
        var delivered = new List<ScrapedPage>();

        var error = Assert.IsType<FirecrawlApiException>(await FailingReadAsync(job, client, delivered));

        Assert.Equal(503, error.Status);
        Assert.Equal(Range(10), Indices(delivered));
        Assert.Equal(4, StatusRequests(job).Count(r => r.Query.Contains("skip=10", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(400, "Invalid job ID")]
    [InlineData(401, "Unauthorized: Invalid token")]
    [InlineData(402, "Payment required to access this resource.")]
    [InlineData(403, "Forbidden")]
    [InlineData(404, "Job expired")]
    [InlineData(409, "Conflict")]
    public async Task StreamBatchScrapeAsync_ClientError_NotRetriedAndCarriesServerText(int status, string text)
    {
        FakeJob job = Server.AddJob(Pages(5));
        job.Faults.Enqueue(FakeFault.Status(status, text));
        using FirecrawlJobClient client = Client();

        var error = Assert.IsType<FirecrawlApiException>(await FailingReadAsync(job, client));

        Assert.Equal((JobStreamErrorCode.HttpError, status, text), (error.ErrorCode, error.Status, error.ServerError));
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
        Assert.Equal(job.Id, error.RequestUri!.Segments[^1]);
        Assert.Single(StatusRequests(job));
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_WrongApiKey_Throws401WithoutEchoingTheKey()
    {
        FakeJob job = Server.AddJob(Pages(2));
        using var client = new FirecrawlJobClient(Options(o => o.ApiKey = "fc-wrong-secret"));

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => ReadAllAsync(client.StreamBatchScrapeAsync(job.Id)));

        Assert.Equal(401, error.Status);
        Assert.DoesNotContain("fc-wrong-secret", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_UnknownJob_Throws404()
    {
        using FirecrawlJobClient client = Client();

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => ReadAllAsync(client.StreamBatchScrapeAsync(Guid.NewGuid().ToString())));

        Assert.Equal((404, "Job not found"), (error.Status, error.ServerError));
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_SuccessFalseWith200_ThrowsRequestFailed()
    {
        FakeJob job = Server.AddJob(Pages(2));
        job.Faults.Enqueue(FakeFault.SuccessFalse("Batch scrape job failed to start"));
        using FirecrawlJobClient client = Client();

        var error = Assert.IsType<FirecrawlApiException>(await FailingReadAsync(job, client));

        Assert.Equal((JobStreamErrorCode.RequestFailed, 200, "Batch scrape job failed to start"), (error.ErrorCode, error.Status, error.ServerError));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(150)]
    [InlineData(700)]
    [InlineData(1500)]
    [InlineData(3200)]
    public async Task StreamBatchScrapeAsync_ConnectionDroppedMidBody_NothingLostNothingDuplicated(int bytes)
    {
        FakeJob job = Server.AddJob(Pages(30), new FakeJobOptions { PageLimit = 10 });
        job.Faults.Enqueue(FakeFault.DropAfterBytes(bytes), atSkip: 10).Enqueue(FakeFault.DropAfterBytes(bytes / 2), atSkip: 10);
        using FirecrawlJobClient client = Client();

        List<ScrapedPage> pages = await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id));

        Assert.Equal(Range(30), Indices(pages));
        Assert.Equal(3, StatusRequests(job).Count(r => r.Query.Contains("skip=10", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_BodyStallsPastIdleTimeout_ChunkRetried()
    {
        FakeJob job = Server.AddJob(Pages(20), new FakeJobOptions { PageLimit = 10 });
        job.Faults.Enqueue(FakeFault.StallAfterBytes(900, TimeSpan.FromSeconds(5)), atSkip: 10);
        using FirecrawlJobClient client = Client(o => o.BodyIdleTimeout = TimeSpan.FromMilliseconds(300));

        List<ScrapedPage> pages = await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id));

        Assert.Equal(Range(20), Indices(pages));
        Assert.Equal(2, StatusRequests(job).Count(r => r.Query.Contains("skip=10", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_TrickledBody_DeliversEverything()
    {
        FakeJob job = Server.AddJob(Pages(4));
        job.Faults.Enqueue(FakeFault.Trickle(97, TimeSpan.FromMilliseconds(1)));
        using FirecrawlJobClient client = Client();

        Assert.Equal(Range(4), Indices(await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id))));
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_MalformedJson_ThrowsWithByteOffsetAfterTheGoodPage()
    {
        FakeJob job = Server.AddJob(Pages(5));
        job.Faults.Enqueue(FakeFault.MalformedJson());
        using FirecrawlJobClient client = Client();
        var delivered = new List<ScrapedPage>();

        JobStreamException error = await FailingReadAsync(job, client, delivered);

        Assert.Equal(JobStreamErrorCode.MalformedResponse, error.ErrorCode);
        Assert.True(error.ByteOffset > 0);
        Assert.Contains($"byte offset {error.ByteOffset}", error.Message, StringComparison.Ordinal);
        Assert.Equal([0], Indices(delivered));
        Assert.Single(StatusRequests(job));
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_HtmlProxyPageWith200_ThrowsNotJson()
    {
        FakeJob job = Server.AddJob(Pages(5));
        job.Faults.Enqueue(FakeFault.Html());
        using FirecrawlJobClient client = Client();

        JobStreamException error = await FailingReadAsync(job, client);

        Assert.Equal(JobStreamErrorCode.NotJson, error.ErrorCode);
        Assert.Contains("502 Bad Gateway", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_PageLargerThanMaximum_ThrowsPageTooLarge()
    {
        List<byte[]> source = [.. Pages(3)];
        source[1] = TestPages.Json(1, markdown: new string('x', 2_000_000));
        FakeJob job = Server.AddJob(source);
        using FirecrawlJobClient client = Client(o => o.MaxPageBytes = 256 * 1024);
        var delivered = new List<ScrapedPage>();

        JobStreamException error = await FailingReadAsync(job, client, delivered);

        Assert.Equal(JobStreamErrorCode.PageTooLarge, error.ErrorCode);
        Assert.Equal([0], Indices(delivered));
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_HostileNextLink_RequestsStayOnTheConfiguredOrigin()
    {
        await using FakeFirecrawlServer foreign = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);
        FakeJob job = Server.AddJob(Pages(30), new FakeJobOptions { PageLimit = 10 });
        job.Faults.Enqueue(FakeFault.ForeignNext(foreign.BaseAddress)).Enqueue(FakeFault.ForeignNext(new Uri("https://attacker.example")));
        using FirecrawlJobClient client = Client();

        List<ScrapedPage> pages = await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id));

        Assert.Equal(Range(30), Indices(pages));
        Assert.Empty(foreign.Requests);
        Assert.All(Server.Requests, r => Assert.Equal(Server.BaseAddress.Authority, r.Host));
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_FinishedJobWhoseCursorDoesNotAdvance_ThrowsCursorStalled()
    {
        FakeJob job = Server.AddJob(Pages(30), new FakeJobOptions { PageLimit = 10 });
        job.Faults.Enqueue(FakeFault.DuplicatePages(10), atSkip: 10);
        using FirecrawlJobClient client = Client();
        var delivered = new List<ScrapedPage>();

        JobStreamException error = await FailingReadAsync(job, client, delivered);

        Assert.Equal(JobStreamErrorCode.CursorStalled, error.ErrorCode);
        Assert.Equal(Range(10), Indices(delivered));
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_JobStuckScraping_ThrowsCursorStalledAfterTimeout()
    {
        FakeJob job = Server.AddJob(Pages(0), new FakeJobOptions { ScrapingRequests = 100_000 });
        using FirecrawlJobClient client = Client(o => o.JobStallTimeout = TimeSpan.FromMilliseconds(300));

        JobStreamException error = await FailingReadAsync(job, client);

        Assert.Equal(JobStreamErrorCode.CursorStalled, error.ErrorCode);
        Assert.InRange(StatusRequests(job).Count, 2, 1000); // polled, then gave up
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_ServerStallsAfterFirstPage_FirstPageArrivesBeforeTheResponseEnds()
    {
        FakeJob job = Server.AddJob(Pages(3));
        job.Faults.Enqueue(FakeFault.StallAfterFirstPage(TimeSpan.FromSeconds(3)));
        using FirecrawlJobClient client = Client();
        var clock = Stopwatch.StartNew();
        TimeSpan? first = null;

        await foreach (ScrapedPage page in client.StreamBatchScrapeAsync(job.Id).WithCancellation(Ct))
        {
            first ??= clock.Elapsed;
        }

        // Relative to the end, so a loaded machine cannot fake or spoil it: the first page came during the stall.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.9), $"whole response after {clock.Elapsed}");
        Assert.True(first < clock.Elapsed - TimeSpan.FromSeconds(2), $"first page after {first}, response ended after {clock.Elapsed}");
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_UnreachableApi_ThrowsTransportAfterRetries()
    {
        var port = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        port.Start();
        int closed = ((System.Net.IPEndPoint)port.LocalEndpoint).Port;
        port.Stop();
        using var client = new FirecrawlJobClient(Options(o =>
        {
            o.BaseAddress = new Uri($"http://127.0.0.1:{closed}");
            o.MaxRetries = 1;
        }));

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => ReadAllAsync(client.StreamBatchScrapeAsync("00000000-0000-0000-0000-000000000001")));

        Assert.Equal(JobStreamErrorCode.Transport, error.ErrorCode);
        Assert.Contains("after 1 retries", error.Message, StringComparison.Ordinal);
    }
}
