using System.Diagnostics;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Paging;

/// <summary>
/// Chunks fetched in parallel ranges over real sockets, with faults in flight: pages still come out in job order, each
/// exactly once, and a resume continues exactly after the last page yielded.
/// </summary>
public class ParallelFetchTests : FakeServerTestBase
{
    private static int[] Positions(IEnumerable<ScrapedPage> pages) => [.. pages.Select(p => checked((int)p.Position))];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_ByteCappedRangesLeaveGaps_FilledFromEachChunksCursorEveryPageOnceInOrder(JobKind kind)
    {
        // About 25 pages fit under the cap, ranges ask for 100: every range comes back short, and the walk follows each
        // short chunk's own cursor with a request limited to the gap before the next range.
        FakeJob job = AddJob(kind, Pages(400), new FakeJobOptions { ChunkByteCap = TestPages.Json(100).Length * 25 });
        using FirecrawlJobClient client = Client(o => o.ChunkLimit = 100);
        JobPages stream = Stream(client, job);

        List<ScrapedPage> pages = await ReadAllAsync(stream);

        Assert.Equal(Range(400), Indices(pages));
        Assert.Equal(Range(400), Positions(pages));
        Assert.True(stream.Ranges!.PeakHeld >= 2, $"at most {stream.Ranges.PeakHeld} chunks were fetched ahead");
        Assert.Contains(StatusRequests(job), r => r.Query.Contains("&limit=", StringComparison.Ordinal) && !r.Query.EndsWith("&limit=100", StringComparison.Ordinal));
        Assert.Equal((0, 0L, 400L), (stream.Coverage.Repaired, stream.Coverage.DuplicatesDropped, stream.Coverage.Delivered));
        Assert.True(stream.Coverage.IsComplete);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_ConnectionDroppedInOneRangeOthersSucceed_RetriedEveryPageOnceInOrder(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(300), new FakeJobOptions { PageLimit = 50 });
        job.Faults.Enqueue(FakeFault.DropAfterBytes(2_000), atSkip: 150);
        using FirecrawlJobClient client = Client();
        JobPages stream = Stream(client, job);

        List<ScrapedPage> pages = await ReadAllAsync(stream);

        Assert.Equal(Range(300), Indices(pages));
        Assert.Equal(Range(300), Positions(pages));
        Assert.Equal(2, StatusRequests(job).Count(r => r.Query.StartsWith("?skip=150&", StringComparison.Ordinal)));
        Assert.True(stream.Ranges!.PeakHeld >= 2, $"at most {stream.Ranges.PeakHeld} chunks were fetched ahead");
        Assert.True(stream.Coverage.IsComplete);
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_429InOneRange_ConcurrencyHalvedWaitsAndEveryPageOnceInOrder()
    {
        FakeJob job = Server.AddJob(Pages(400), new FakeJobOptions { PageLimit = 20 });
        job.Faults.Enqueue(FakeFault.Status(429, "Rate limit exceeded", retryAfter: TimeSpan.FromSeconds(1)), atSkip: 60);
        using FirecrawlJobClient client = Client(o => o.MaxConcurrency = 4);
        JobPages stream = client.StreamBatchScrapeAsync(job.Id);
        var clock = Stopwatch.StartNew();

        List<ScrapedPage> pages = await ReadAllAsync(stream);

        Assert.Equal(Range(400), Indices(pages));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), $"waited only {clock.Elapsed}");
        Assert.Equal((1, 2), (stream.Ranges!.Concurrency.Throttles, stream.Ranges.Concurrency.Lowest));
        Assert.Equal(2, StatusRequests(job).Count(r => r.Query.StartsWith("?skip=60&", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_ConcurrencyOne_NeverMoreThanOneChunkAhead()
    {
        FakeJob job = Server.AddJob(Pages(200), new FakeJobOptions { PageLimit = 20 });
        using FirecrawlJobClient client = Client(o => o.MaxConcurrency = 1);
        JobPages stream = client.StreamBatchScrapeAsync(job.Id);

        List<ScrapedPage> pages = await ReadAllAsync(stream);

        Assert.Equal(Range(200), Indices(pages));
        Assert.Equal(1, stream.Ranges!.PeakHeld);
        Assert.Equal(10, StatusRequests(job).Count);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_StoppedMidParallelRunThenResumedWithADropInFlight_ContinuesExactlyAfterTheLastPageYielded(JobKind kind)
    {
        // A slow link keeps ranges in flight when the first run stops; the resumed run meets a dropped connection.
        FakeJob job = AddJob(kind, Pages(500), new FakeJobOptions { PageLimit = 25, BytesPerSecond = 2_000_000 });
        using FirecrawlJobClient client = Client();
        var first = new List<ScrapedPage>();
        JobPages firstStream = Stream(client, job);
        await foreach (ScrapedPage page in firstStream.WithCancellation(Ct))
        {
            first.Add(page);
            if (page.Position == 137)
            {
                break;
            }
        }

        Assert.True(firstStream.Ranges!.Held == 0, "the chunks read ahead are released when the stream stops");
        job.Faults.Enqueue(FakeFault.DropAfterBytes(3_000), atSkip: 250);

        List<ScrapedPage> rest = await ReadAllAsync(Stream(client, job, new JobStreamOptions { ResumeAfter = first[^1].ResumeToken }));

        Assert.Equal(Range(138), Indices(first));
        Assert.Equal(Range(500)[138..], Indices(rest));
        Assert.Equal(Range(500)[138..], Positions(rest));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_ServerRefusesLimit_AskedAgainWithoutItAndEveryPageOnce(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(250), new FakeJobOptions { PageLimit = 40, RejectsLimit = true });
        using FirecrawlJobClient client = Client(o => o.ChunkLimit = 1000);

        List<ScrapedPage> pages = await ReadAllAsync(Stream(client, job));

        Assert.Equal(Range(250), Indices(pages));
        List<RecordedRequest> requests = StatusRequests(job);
        // Requests are recorded as they finish: the refused one is the only one with a limit.
        Assert.Equal("?limit=1000", Assert.Single(requests, r => r.StatusCode == 400).Query);
        Assert.All(requests.Where(r => r.StatusCode != 400), r => Assert.DoesNotContain("limit=", r.Query, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_LateCommitsWhileRangesInFlight_EveryPageExactlyOnce(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(300), new FakeJobOptions
        {
            PageLimit = 20,
            LateCommits = [new FakeLateCommit(15, RevealAfterSkip: 60), new FakeLateCommit(130, RevealAfterSkip: 200)],
        });
        using FirecrawlJobClient client = Client();
        JobPages stream = Stream(client, job);

        List<ScrapedPage> pages = await ReadAllAsync(stream);

        Assert.Equal(Range(300), Indices(pages).Order());
        Assert.Equal(300, pages.Select(p => p.Metadata.ScrapeId).Distinct().Count());
        Assert.True(stream.Coverage.IsComplete);
        int outOfOrder = Enumerable.Range(1, pages.Count - 1).Count(i => pages[i].Position < pages[i - 1].Position);
        Assert.InRange(outOfOrder, 0, stream.Coverage.Repaired); // only a page found by looking back comes after later ones
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_ChunkAnsweredBeforeALateCommitReadAfterOneAnsweredLater_EveryPageExactlyOnce(JobKind kind)
    {
        // The request at 20 is held until the one at 30 has been answered and has revealed page 7. Chunk 30 then lists
        // pages 31-39 under a completed count of 39, chunk 20 pages 20-29 under 40, and page 30 is in neither. Read in
        // job order, chunk 30's older count must not hide page 30 from the end-of-job check.
        FakeJob job = AddJob(kind, Pages(40), new FakeJobOptions { PageLimit = 10, LateCommits = [new FakeLateCommit(7, RevealAfterSkip: 30)] });
        job.Faults.Enqueue(FakeFault.DelayBeforeListing(TimeSpan.FromMilliseconds(500)), atSkip: 20);
        using FirecrawlJobClient client = Client();
        JobPages stream = Stream(client, job);

        List<ScrapedPage> pages = await ReadAllAsync(stream);

        Assert.Equal(Range(40), Indices(pages).Order());
        Assert.Equal(40, stream.Status!.Completed);
        Assert.True(stream.Coverage.IsComplete);
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_DefaultOptions_AsksForBigChunksAndFetchesRangesAhead()
    {
        FakeJob job = Server.AddJob(Pages(3000), new FakeJobOptions { ChunkByteCap = TestPages.Json(100).Length * 400 });
        using FirecrawlJobClient client = new(new FirecrawlJobClientOptions { BaseAddress = Server.BaseAddress, ApiKey = Server.ApiKey });
        JobPages stream = client.StreamBatchScrapeAsync(job.Id);

        List<ScrapedPage> pages = await ReadAllAsync(stream);

        Assert.Equal(Range(3000), Indices(pages));
        Assert.Contains(StatusRequests(job), r => r.Query == "?limit=1000");
        Assert.True(stream.Ranges!.PeakHeld >= 2, $"at most {stream.Ranges.PeakHeld} chunks were fetched ahead");
    }
}
