using System.Globalization;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Paging;

/// <summary>
/// A stream bounded by <see cref="JobStreamOptions.StartAt"/> and <see cref="JobStreamOptions.StopAt"/>, over real
/// sockets: exactly the pages of <c>[StartAt, StopAt)</c>, in order, and never a request at or past the stop.
/// </summary>
public class JobPagesRangeTests : FakeServerTestBase
{
    private static long[] Positions(IEnumerable<ScrapedPage> pages) => [.. pages.Select(p => p.Position)];

    private static long[] Span(long start, long stop) => [.. Enumerable.Range((int)start, (int)(stop - start)).Select(i => (long)i)];

    /// <summary>The <c>skip</c> and <c>limit</c> of every status request of the job (limit null when not sent).</summary>
    private List<(long Skip, long? Limit)> Requested(FakeJob job) =>
        [.. StatusRequests(job).Select(r => (Query(r.Query, "skip") ?? 0, Query(r.Query, "limit")))];

    private static long? Query(string query, string name)
    {
        foreach (string part in query.TrimStart('?').Split('&'))
        {
            string[] pair = part.Split('=', 2);
            if (pair.Length == 2 && pair[0] == name)
            {
                return long.Parse(pair[1], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    private void AssertNothingRequestedPast(FakeJob job, long stopAt)
    {
        foreach ((long skip, long? limit) in Requested(job))
        {
            Assert.True(skip < stopAt, $"a request at skip={skip}, at or past the stop {stopAt}");
            Assert.True(limit is not null && skip + limit <= stopAt, $"a request at skip={skip} with limit={limit} reaches past the stop {stopAt}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task StreamJobAsync_StartAtAndStopAt_ExactlyThePagesOfTheRangeInOrder(int concurrency)
    {
        FakeJob job = AddJob(JobKind.BatchScrape, Pages(300));
        using FirecrawlJobClient client = Client(o => (o.ChunkLimit, o.MaxConcurrency) = (10, concurrency));
        JobPages stream = Stream(client, job, new JobStreamOptions { StartAt = 35, StopAt = 187 });

        List<ScrapedPage> pages = await ReadAllAsync(stream);

        Assert.Equal(Range(187)[35..], Indices(pages));
        Assert.Equal(Span(35, 187), Positions(pages));
        AssertNothingRequestedPast(job, 187);
        Assert.Equal(35, Requested(job).Min(r => r.Skip));
        Assert.Equal((0L, 152L, 0L), (stream.Coverage.DeliveredBefore, stream.Coverage.Delivered, stream.Coverage.DuplicatesDropped));
        Assert.Equal(0, stream.RepairRequests);
        if (concurrency > 1)
        {
            Assert.True(stream.Ranges!.PeakHeld >= 2, $"at most {stream.Ranges.PeakHeld} chunks were fetched ahead inside the range");
        }
        else
        {
            Assert.Equal(1, stream.Ranges!.PeakHeld);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_ByteCappedChunksInsideARange_GapsFilledAndNothingPastTheStop(JobKind kind)
    {
        // About 25 pages fit under the cap and ranges ask for 100: every chunk comes back short, and the gap-filling
        // requests stay inside the range too.
        FakeJob job = AddJob(kind, Pages(500), new FakeJobOptions { ChunkByteCap = TestPages.Json(100).Length * 25 });
        using FirecrawlJobClient client = Client(o => o.ChunkLimit = 100);
        JobPages stream = Stream(client, job, new JobStreamOptions { StartAt = 110, StopAt = 390 });

        List<ScrapedPage> pages = await ReadAllAsync(stream);

        Assert.Equal(Range(390)[110..], Indices(pages));
        Assert.Equal(Span(110, 390), Positions(pages));
        AssertNothingRequestedPast(job, 390);
        Assert.Contains(Requested(job), r => r.Limit is long limit && limit < 100);
        Assert.True(stream.Ranges!.PeakHeld >= 2, $"at most {stream.Ranges.PeakHeld} chunks were fetched ahead");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task StreamJobAsync_RangeResumedFromATokenInsideIt_ContinuesAfterThatPageToTheStop(int concurrency)
    {
        FakeJob job = AddJob(JobKind.Crawl, Pages(400), new FakeJobOptions { BytesPerSecond = 4_000_000 });
        using FirecrawlJobClient client = Client(o => (o.ChunkLimit, o.MaxConcurrency) = (20, concurrency));
        var range = new JobStreamOptions { StartAt = 100, StopAt = 300 };
        var first = new List<ScrapedPage>();
        await foreach (ScrapedPage page in Stream(client, job, range).WithCancellation(Ct))
        {
            first.Add(page);
            if (page.Position == 173)
            {
                break;
            }
        }

        JobPages resumed = Stream(client, job, new JobStreamOptions { StartAt = 100, StopAt = 300, ResumeAfter = first[^1].ResumeToken });
        List<ScrapedPage> rest = await ReadAllAsync(resumed);

        Assert.Equal(Range(174)[100..], Indices(first));
        Assert.Equal(Range(300)[174..], Indices(rest));
        Assert.Equal(Span(174, 300), Positions(rest));
        Assert.Equal((74L, 126L), (resumed.Coverage.DeliveredBefore, resumed.Coverage.Delivered));
        AssertNothingRequestedPast(job, 300);
    }

    [Fact]
    public async Task StreamJobAsync_RangeWithoutAConfiguredLimit_LimitsAskedNeverReachPastTheStop()
    {
        FakeJob job = AddJob(JobKind.BatchScrape, Pages(300), new FakeJobOptions { PageLimit = 30 });
        using FirecrawlJobClient client = Client(o => o.ChunkLimit = null);

        List<ScrapedPage> pages = await ReadAllAsync(Stream(client, job, new JobStreamOptions { StartAt = 50, StopAt = 130 }));

        Assert.Equal(Range(130)[50..], Indices(pages));
        AssertNothingRequestedPast(job, 130);
    }

    [Fact]
    public async Task StreamJobAsync_RangeReachesPastTheJobsEnd_StopsAtTheEndWithoutEndOfJobRepair()
    {
        FakeJob job = AddJob(JobKind.BatchScrape, Pages(130));
        using FirecrawlJobClient client = Client(o => o.ChunkLimit = 25);
        JobPages stream = Stream(client, job, new JobStreamOptions { StartAt = 100, StopAt = 1_000 });

        List<ScrapedPage> pages = await ReadAllAsync(stream);

        Assert.Equal(Range(130)[100..], Indices(pages));
        Assert.Equal(0, stream.RepairRequests);
        Assert.Equal(30, stream.Coverage.Delivered);
        Assert.All(Requested(job), r => Assert.True(r.Skip >= 100 && r.Skip < 130, $"a request at skip={r.Skip}"));
    }

    [Fact]
    public async Task StreamJobAsync_ResumeTokenOutsideTheRange_RefusedAsInvalid()
    {
        FakeJob job = AddJob(JobKind.BatchScrape, Pages(60));
        using FirecrawlJobClient client = Client(o => o.ChunkLimit = 10);
        List<ScrapedPage> all = await ReadAllAsync(Stream(client, job));

        var e = await Assert.ThrowsAsync<JobStreamException>(() =>
            ReadAllAsync(Stream(client, job, new JobStreamOptions { StartAt = 10, StopAt = 20, ResumeAfter = all[40].ResumeToken })));

        Assert.Equal(JobStreamErrorCode.InvalidResumeToken, e.ErrorCode);
    }

    [Theory]
    [InlineData(-1, null, "StartAt")]
    [InlineData(10, 10L, "StopAt")]
    [InlineData(10, 3L, "StopAt")]
    public void StreamJobAsync_InvalidRange_Throws(long startAt, long? stopAt, string parameter)
    {
        using FirecrawlJobClient client = Client();

        var e = Assert.Throws<ArgumentException>(() => client.StreamBatchScrapeAsync("job", new JobStreamOptions { StartAt = startAt, StopAt = stopAt }));

        Assert.Equal(parameter, e.ParamName);
    }
}
