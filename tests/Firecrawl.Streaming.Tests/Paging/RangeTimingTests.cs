using System.Diagnostics;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Paging;

/// <summary>
/// Request timing of parallel ranges over real sockets, against a server with a time to first byte and a bandwidth
/// limit per connection: requests go out ahead of the transfer slots (the server's latency is hidden behind bodies
/// still downloading), bodies never transfer more than the concurrency at once, and ranges are planned from the job's
/// counts before a chunk's <c>next</c> arrives.
/// </summary>
public class RangeTimingTests : FakeServerTestBase
{
    /// <summary>Pages of about 4 KB: a chunk of 25 is about 100 KB, several bandwidth slices of the fake server.</summary>
    private static IReadOnlyList<byte[]> BigPages(int count) =>
        [.. Enumerable.Range(0, count).Select(i => TestPages.Json(i, markdown: new string((char)('a' + (i % 26)), 4000)))];

    [Fact]
    public async Task StreamBatchScrapeAsync_LatencyLongerThanATransfer_RequestsSentAheadOfSlotsAtMostMaxConcurrencyTransferring()
    {
        // 300 ms to first byte, about 100 ms per chunk body: hiding the latency takes more requests open than bodies
        // transferring. One chunk at a time plus MaxConcurrency ahead (3 requests) was the most before.
        FakeJob job = Server.AddJob(BigPages(400), new FakeJobOptions { Latency = TimeSpan.FromMilliseconds(300), BytesPerSecond = 1_000_000 });
        using FirecrawlJobClient client = Client(o => (o.ChunkLimit, o.MaxConcurrency) = (25, 2));
        JobPages stream = client.StreamBatchScrapeAsync(job.Id);

        List<ScrapedPage> pages = await ReadAllAsync(stream);

        Assert.Equal(Range(400), Indices(pages));
        Assert.Equal(400L, stream.Coverage.Delivered);
        Assert.True(stream.Coverage.IsComplete);
        RangeScheduler ranges = stream.Ranges!;
        Assert.InRange(ranges.PeakTransfers, 1, 2);
        Assert.InRange(ranges.PeakRequests, 4, RangeScheduler.RequestsPerTransfer * 2);
        Assert.Equal(16, StatusRequests(job).Count); // every range once: no request wasted on a range already covered
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_ConcurrencyTwoOnALimitedLink_NeverMoreThanTwoBodiesTransferring()
    {
        // Short latency, long bodies: ranges ahead are requested early but wait for a slot after their headers.
        FakeJob job = Server.AddJob(BigPages(300), new FakeJobOptions { Latency = TimeSpan.FromMilliseconds(20), BytesPerSecond = 2_000_000 });
        using FirecrawlJobClient client = Client(o => (o.ChunkLimit, o.MaxConcurrency) = (50, 2));
        JobPages stream = client.StreamBatchScrapeAsync(job.Id);

        List<ScrapedPage> pages = await ReadAllAsync(stream);

        Assert.Equal(Range(300), Indices(pages));
        Assert.Equal(2, stream.Ranges!.PeakTransfers);
        Assert.True(stream.Coverage.IsComplete);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_NextAfterData_RangesRequestedBeforeTheFirstChunksCursorArrives(JobKind kind)
    {
        // The server writes next after the pages: planning from next would wait for the whole first body. The job's
        // completed count and the page size arrive first, and the ranges after the first chunk go out on them.
        FakeJob job = AddJob(kind, Pages(200), new FakeJobOptions { NextAfterData = true });
        using FirecrawlJobClient client = Client(o => (o.ChunkLimit, o.MaxConcurrency) = (20, 2));
        var pages = new List<ScrapedPage>();
        int requestsBeforeNext = 0;
        await foreach (ScrapedPage page in Stream(client, job).WithCancellation(Ct))
        {
            pages.Add(page);
            if (page.Position == 10)
            {
                // The walk is parked here, before the first chunk's next has been parsed: only a request sent on the
                // counts can reach the server now.
                var wait = Stopwatch.StartNew();
                while (StatusRequests(job).Count < 2 && wait.Elapsed < TimeSpan.FromSeconds(5))
                {
                    await Task.Delay(10, Ct);
                }

                requestsBeforeNext = StatusRequests(job).Count;
            }
        }

        Assert.Equal(Range(200), Indices(pages));
        Assert.True(requestsBeforeNext >= 2, $"only {requestsBeforeNext} request(s) before the first chunk's next");
        Assert.Contains(StatusRequests(job), r => r.Query == "?skip=20&limit=20");
        Assert.Equal(10, StatusRequests(job).Count);
    }
}
