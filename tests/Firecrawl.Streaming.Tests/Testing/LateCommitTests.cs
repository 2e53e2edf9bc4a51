using System.Text.Json;
using Firecrawl.Streaming.Testing;

namespace Firecrawl.Streaming.Tests.Testing;

/// <summary>Late commits: a page that appears before pages already listed, shifting every offset behind it.</summary>
public class LateCommitTests : KitTestBase
{
    private FakeJob Job(int pages, int pageLimit, params FakeLateCommit[] lateCommits) =>
        Server.AddJob(Pages(pages), new FakeJobOptions { PageLimit = pageLimit, LateCommits = lateCommits });

    private static string[] Ids(params int[] indices) => [.. indices.Select(i => $"page-{i}")];

    private async Task<List<string>> ProbeAsync(FakeJob job, int from, int to)
    {
        var seen = new List<string>();
        for (int skip = from; skip < to; skip++)
        {
            (_, JsonElement body) = await GetJsonAsync($"v2/batch/scrape/{job.Id}?skip={skip}&limit=1");
            seen.AddRange(ScrapeIds(body));
        }

        return seen;
    }

    [Fact]
    public async Task LateCommit_RevealedAfterFirstChunk_ReaderGetsBoundaryPageTwiceAndNeverTheLateOne()
    {
        FakeJob job = Job(10, 4, new FakeLateCommit(Index: 2, RevealAfterSkip: 0));

        List<string> ids = await ReadAllScrapeIdsAsync($"v2/batch/scrape/{job.Id}");

        Assert.Equal(Ids(0, 1, 3, 4, 4, 5, 6, 7, 8, 9), ids);
    }

    [Fact]
    public async Task LateCommit_RevealedAfterSkipFour_DuplicateMovesToTheNextBoundary()
    {
        FakeJob job = Job(10, 4, new FakeLateCommit(Index: 2, RevealAfterSkip: 4));

        List<string> ids = await ReadAllScrapeIdsAsync($"v2/batch/scrape/{job.Id}");

        // The request at skip 4 still sees the listing without page 2; the one at skip 8 sees it.
        Assert.Equal(Ids(0, 1, 3, 4, 5, 6, 7, 8, 8, 9), ids);
    }

    [Fact]
    public async Task LateCommit_BeforeReveal_CompletedLeavesItOut()
    {
        FakeJob job = Job(10, 4, new FakeLateCommit(2, 4));

        (_, JsonElement before) = await GetJsonAsync($"v2/batch/scrape/{job.Id}?skip=0");
        (_, JsonElement trigger) = await GetJsonAsync($"v2/batch/scrape/{job.Id}?skip=4");
        (_, JsonElement after) = await GetJsonAsync($"v2/batch/scrape/{job.Id}?skip=0");

        Assert.Equal(9, before.GetProperty("completed").GetInt32());
        Assert.Equal(9, trigger.GetProperty("completed").GetInt32());
        Assert.Equal(10, after.GetProperty("completed").GetInt32());
        Assert.Equal(10, after.GetProperty("total").GetInt32());
        Assert.Equal(Ids(0, 1, 2, 3), ScrapeIds(after));
    }

    [Fact]
    public async Task LateCommit_LimitOneProbesBeforeReveal_SeeTheListingWithoutIt()
    {
        FakeJob job = Job(6, 100, new FakeLateCommit(2, 1000));

        List<string> probed = await ProbeAsync(job, 0, 7);

        Assert.Equal(Ids(0, 1, 3, 4, 5), probed);
    }

    [Fact]
    public async Task LateCommit_LimitOneProbesAfterReveal_FindTheMissedPageAtItsPosition()
    {
        FakeJob job = Job(10, 4, new FakeLateCommit(2, 0));
        List<string> read = await ReadAllScrapeIdsAsync($"v2/batch/scrape/{job.Id}");

        List<string> probed = await ProbeAsync(job, 0, 10);

        Assert.Equal(Ids(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), probed);
        Assert.Equal(Ids(2), probed.Except(read));
        (_, JsonElement single) = await GetJsonAsync($"v2/batch/scrape/{job.Id}?skip=2&limit=1");
        Assert.Equal(Ids(2), ScrapeIds(single));
    }

    [Fact]
    public async Task LateCommit_ProbeAtRevealSkip_TriggersRevealForLaterRequests()
    {
        FakeJob job = Job(6, 100, new FakeLateCommit(1, 3));

        List<string> before = await ProbeAsync(job, 1, 2);
        List<string> trigger = await ProbeAsync(job, 3, 4);
        List<string> after = await ProbeAsync(job, 1, 2);

        Assert.Equal(Ids(2), before);
        Assert.Equal(Ids(4), trigger);
        Assert.Equal(Ids(1), after);
    }

    [Fact]
    public async Task LateCommit_Two_BothHiddenThenBothInPlace()
    {
        FakeJob job = Job(8, 100, new FakeLateCommit(1, 5), new FakeLateCommit(5, 5));

        (_, JsonElement hidden) = await GetJsonAsync($"v2/batch/scrape/{job.Id}?skip=0");
        await GetJsonAsync($"v2/batch/scrape/{job.Id}?skip=5");
        (_, JsonElement revealed) = await GetJsonAsync($"v2/batch/scrape/{job.Id}?skip=0");

        Assert.Equal(Ids(0, 2, 3, 4, 6, 7), ScrapeIds(hidden));
        Assert.Equal(Ids(0, 1, 2, 3, 4, 5, 6, 7), ScrapeIds(revealed));
    }

    [Fact]
    public async Task LateCommit_WhileScraping_HiddenOnlyOnceItHasFinished()
    {
        var options = new FakeJobOptions { ScrapingRequests = 2, LateCommits = [new FakeLateCommit(4, 100)] };
        FakeJob job = Server.AddJob(Pages(8), options);

        await GetJsonAsync($"v2/batch/scrape/{job.Id}");
        (_, JsonElement half) = await GetJsonAsync($"v2/batch/scrape/{job.Id}");
        (_, JsonElement done) = await GetJsonAsync($"v2/batch/scrape/{job.Id}");

        // Half the pages (0-3) have finished: page 4 is not among them yet, so nothing is hidden.
        Assert.Equal(Ids(0, 1, 2, 3), ScrapeIds(half));
        Assert.Equal(4, half.GetProperty("completed").GetInt32());
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(Ids(0, 1, 2, 3, 5, 6, 7), ScrapeIds(done));
        Assert.Equal(7, done.GetProperty("completed").GetInt32());
    }

    [Fact]
    public async Task LateCommit_OnCrawl_ShiftsTheSameWay()
    {
        FakeJob job = Server.AddJob(Pages(6), new FakeJobOptions { Kind = FakeJobKind.Crawl, PageLimit = 3, LateCommits = [new FakeLateCommit(0, 0)] });

        List<string> ids = await ReadAllScrapeIdsAsync($"v2/crawl/{job.Id}");

        Assert.Equal(Ids(1, 2, 3, 3, 4, 5), ids);
    }
}
