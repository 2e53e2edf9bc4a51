using System.Diagnostics;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Paging;

/// <summary>Every fault over a real socket, for batch scrapes and crawls alike, asserting the exact pages delivered.</summary>
public class JobPagesFaultTests : FakeServerTestBase
{
    public static TheoryData<JobKind, int> KindsAndTransientStatuses => new MatrixTheoryData<JobKind, int>([JobKind.BatchScrape, JobKind.Crawl], [408, 500, 502, 503]);

    public static TheoryData<JobKind, int> KindsAndDropOffsets => new MatrixTheoryData<JobKind, int>([JobKind.BatchScrape, JobKind.Crawl], [10, 150, 700, 1500, 3200]);

    public static TheoryData<JobKind, int, string> KindsAndClientErrors
    {
        get
        {
            var data = new TheoryData<JobKind, int, string>();
            foreach (JobKind kind in (JobKind[])[JobKind.BatchScrape, JobKind.Crawl])
            {
                data.Add(kind, 400, "Invalid job ID");
                data.Add(kind, 401, "Unauthorized: Invalid token");
                data.Add(kind, 402, "Payment required to access this resource.");
                data.Add(kind, 403, "Forbidden");
                data.Add(kind, 404, "Job expired");
                data.Add(kind, 409, "Conflict");
            }

            return data;
        }
    }

    private async Task<JobStreamException> FailingReadAsync(FakeJob job, FirecrawlJobClient client, List<ScrapedPage>? delivered = null)
    {
        var error = await Assert.ThrowsAnyAsync<JobStreamException>(async () =>
        {
            await foreach (ScrapedPage page in Stream(client, job).WithCancellation(Ct))
            {
                delivered?.Add(page);
            }
        });
        Assert.DoesNotContain(Server.ApiKey, error.ToString(), StringComparison.Ordinal);
        return error;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_429WithRetryAfterHeader_WaitsThenDeliversEverything(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(20), new FakeJobOptions { PageLimit = 10 });
        job.Faults.Enqueue(FakeFault.Status(429, "Rate limit exceeded", retryAfter: TimeSpan.FromSeconds(1)), atSkip: 10);
        using FirecrawlJobClient client = Client();
        var clock = Stopwatch.StartNew();

        List<ScrapedPage> pages = await ReadAllAsync(Stream(client, job));

        Assert.Equal(Range(20), Indices(pages));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), $"waited only {clock.Elapsed}");
        Assert.Equal(3, StatusRequests(job).Count);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_429WithDelayInMessage_WaitsThenDeliversEverything(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(5));
        job.Faults.Enqueue(FakeFault.Status(429)); // "... please retry after 1s, resets at ..."
        using FirecrawlJobClient client = Client();
        var clock = Stopwatch.StartNew();

        List<ScrapedPage> pages = await ReadAllAsync(Stream(client, job));

        Assert.Equal(Range(5), Indices(pages));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), $"waited only {clock.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(KindsAndTransientStatuses))]
    public async Task StreamJobAsync_TransientStatus_RetriedFromTheSameCursor(JobKind kind, int status)
    {
        FakeJob job = AddJob(kind, Pages(30), new FakeJobOptions { PageLimit = 10 });
        job.Faults.Enqueue(FakeFault.Status(status), atSkip: 10).Enqueue(FakeFault.Status(status), atSkip: 10);
        using FirecrawlJobClient client = Client();

        List<ScrapedPage> pages = await ReadAllAsync(Stream(client, job));

        Assert.Equal(Range(30), Indices(pages));
        Assert.Equal(3, StatusRequests(job).Count(r => r.Query.Contains("skip=10", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_RetriesExhausted_ThrowsWithStatusAfterDeliveringEarlierPages(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(20), new FakeJobOptions { PageLimit = 10 });
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
    [MemberData(nameof(KindsAndClientErrors))]
    public async Task StreamJobAsync_ClientError_NotRetriedAndCarriesServerText(JobKind kind, int status, string text)
    {
        FakeJob job = AddJob(kind, Pages(5));
        job.Faults.Enqueue(FakeFault.Status(status, text));
        using FirecrawlJobClient client = Client();

        var error = Assert.IsType<FirecrawlApiException>(await FailingReadAsync(job, client));

        Assert.Equal((JobStreamErrorCode.HttpError, status, text), (error.ErrorCode, error.Status, error.ServerError));
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
        Assert.Equal(job.Id, error.RequestUri!.Segments[^1]);
        Assert.Single(StatusRequests(job));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_WrongApiKey_Throws401WithoutEchoingTheKey(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(2));
        using var client = new FirecrawlJobClient(Options(o => o.ApiKey = "fc-wrong-secret"));

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => ReadAllAsync(Stream(client, job)));

        Assert.Equal(401, error.Status);
        Assert.DoesNotContain("fc-wrong-secret", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_UnknownJob_Throws404(JobKind kind)
    {
        using FirecrawlJobClient client = Client();

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => ReadAllAsync(client.StreamJobAsync(kind, Guid.NewGuid().ToString())));

        Assert.Equal((404, "Job not found"), (error.Status, error.ServerError));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_SuccessFalseWith200_ThrowsRequestFailed(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(2));
        job.Faults.Enqueue(FakeFault.SuccessFalse("Batch scrape job failed to start"));
        using FirecrawlJobClient client = Client();

        var error = Assert.IsType<FirecrawlApiException>(await FailingReadAsync(job, client));

        Assert.Equal((JobStreamErrorCode.RequestFailed, 200, "Batch scrape job failed to start"), (error.ErrorCode, error.Status, error.ServerError));
    }

    [Theory]
    [MemberData(nameof(KindsAndDropOffsets))]
    public async Task StreamJobAsync_ConnectionDroppedMidBody_NothingLostNothingDuplicated(JobKind kind, int bytes)
    {
        FakeJob job = AddJob(kind, Pages(30), new FakeJobOptions { PageLimit = 10 });
        job.Faults.Enqueue(FakeFault.DropAfterBytes(bytes), atSkip: 10).Enqueue(FakeFault.DropAfterBytes(bytes / 2), atSkip: 10);
        using FirecrawlJobClient client = Client();

        List<ScrapedPage> pages = await ReadAllAsync(Stream(client, job));

        Assert.Equal(Range(30), Indices(pages));
        Assert.Equal(3, StatusRequests(job).Count(r => r.Query.Contains("skip=10", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_BodyStallsPastIdleTimeout_ChunkRetried(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(20), new FakeJobOptions { PageLimit = 10 });
        job.Faults.Enqueue(FakeFault.StallAfterBytes(900, TimeSpan.FromSeconds(5)), atSkip: 10);
        using FirecrawlJobClient client = Client(o => o.BodyIdleTimeout = TimeSpan.FromMilliseconds(300));

        List<ScrapedPage> pages = await ReadAllAsync(Stream(client, job));

        Assert.Equal(Range(20), Indices(pages));
        Assert.Equal(2, StatusRequests(job).Count(r => r.Query.Contains("skip=10", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_TrickledBody_DeliversEverything(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(4));
        job.Faults.Enqueue(FakeFault.Trickle(97, TimeSpan.FromMilliseconds(1)));
        using FirecrawlJobClient client = Client();

        Assert.Equal(Range(4), Indices(await ReadAllAsync(Stream(client, job))));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_MalformedJson_ThrowsWithByteOffsetAfterTheGoodPage(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(5));
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

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_HtmlProxyPageWith200_ThrowsNotJson(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(5));
        job.Faults.Enqueue(FakeFault.Html());
        using FirecrawlJobClient client = Client();

        JobStreamException error = await FailingReadAsync(job, client);

        Assert.Equal(JobStreamErrorCode.NotJson, error.ErrorCode);
        Assert.Contains("502 Bad Gateway", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_PageLargerThanMaximum_ThrowsPageTooLarge(JobKind kind)
    {
        List<byte[]> source = [.. Pages(3)];
        source[1] = TestPages.Json(1, markdown: new string('x', 2_000_000));
        FakeJob job = AddJob(kind, source);
        using FirecrawlJobClient client = Client(o => o.MaxPageBytes = 256 * 1024);
        var delivered = new List<ScrapedPage>();

        JobStreamException error = await FailingReadAsync(job, client, delivered);

        Assert.Equal(JobStreamErrorCode.PageTooLarge, error.ErrorCode);
        Assert.Equal([0], Indices(delivered));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_HostileNextLink_RequestsStayOnTheConfiguredOrigin(JobKind kind)
    {
        await using FakeFirecrawlServer foreign = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);
        FakeJob job = AddJob(kind, Pages(30), new FakeJobOptions { PageLimit = 10 });
        job.Faults.Enqueue(FakeFault.ForeignNext(foreign.BaseAddress)).Enqueue(FakeFault.ForeignNext(new Uri("https://attacker.example")));
        using FirecrawlJobClient client = Client();

        List<ScrapedPage> pages = await ReadAllAsync(Stream(client, job));

        Assert.Equal(Range(30), Indices(pages));
        Assert.Empty(foreign.Requests);
        Assert.All(Server.Requests, r => Assert.Equal(Server.BaseAddress.Authority, r.Host));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_FinishedJobRepeatsAWholeChunkWithANextThatDoesNotAdvance_SkippedPagesFoundByRepair(JobKind kind)
    {
        // The chunk at skip 10 serves pages 0-9 again and points next at skip 10: the computed cursor (20) steps over 10-19.
        FakeJob job = AddJob(kind, Pages(30), new FakeJobOptions { PageLimit = 10 });
        job.Faults.Enqueue(FakeFault.DuplicatePages(10), atSkip: 10);
        using FirecrawlJobClient client = Client();
        JobPages stream = Stream(client, job);

        List<ScrapedPage> pages = await ReadAllAsync(stream);

        Assert.Equal(Range(30), Indices(pages).Order());
        Assert.Equal(Range(30).Select(i => (long)i), pages.OrderBy(p => p.Position).Select(p => p.Position));
        Assert.Equal((10, 10), (stream.Coverage.Repaired, stream.Coverage.DuplicatesDropped));
        Assert.True(stream.Coverage.IsComplete);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_ShiftThatNeedsRepairWithRepairsDisabled_ThrowsIncomplete(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(30), new FakeJobOptions { PageLimit = 10 });
        job.Faults.Enqueue(FakeFault.DuplicatePages(10), atSkip: 10);
        using FirecrawlJobClient client = Client(o => o.MaxGapRepairs = 0);
        var delivered = new List<ScrapedPage>();

        JobStreamException error = await FailingReadAsync(job, client, delivered);

        Assert.Equal(JobStreamErrorCode.Incomplete, error.ErrorCode);
        Assert.Equal(job.Id, error.JobId);
        Assert.Equal(Range(10), Indices(delivered));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_JobStuckScraping_ThrowsCursorStalledAfterTimeout(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(0), new FakeJobOptions { ScrapingRequests = 100_000 });
        using FirecrawlJobClient client = Client(o => o.JobStallTimeout = TimeSpan.FromMilliseconds(300));

        JobStreamException error = await FailingReadAsync(job, client);

        Assert.Equal(JobStreamErrorCode.CursorStalled, error.ErrorCode);
        Assert.InRange(StatusRequests(job).Count, 2, 1000); // polled, then gave up
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_ServerStallsAfterFirstPage_FirstPageArrivesBeforeTheResponseEnds(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(3));
        job.Faults.Enqueue(FakeFault.StallAfterFirstPage(TimeSpan.FromSeconds(3)));
        using FirecrawlJobClient client = Client();
        var clock = Stopwatch.StartNew();
        TimeSpan? first = null;

        await foreach (ScrapedPage page in Stream(client, job).WithCancellation(Ct))
        {
            first ??= clock.Elapsed;
        }

        // Relative to the end, so a loaded machine cannot fake or spoil it: the first page came during the stall.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.9), $"whole response after {clock.Elapsed}");
        Assert.True(first < clock.Elapsed - TimeSpan.FromSeconds(2), $"first page after {first}, response ended after {clock.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_UnreachableApi_ThrowsTransportAfterRetries(JobKind kind)
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

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => ReadAllAsync(client.StreamJobAsync(kind, "00000000-0000-0000-0000-000000000001")));

        Assert.Equal(JobStreamErrorCode.Transport, error.ErrorCode);
        Assert.Contains("after 1 retries", error.Message, StringComparison.Ordinal);
    }
}
