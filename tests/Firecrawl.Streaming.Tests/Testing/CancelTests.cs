using System.Net;
using System.Text.Json;
using Firecrawl.Streaming.Testing;

namespace Firecrawl.Streaming.Tests.Testing;

/// <summary><c>DELETE /v2/batch/scrape/{id}</c>, <c>DELETE /v2/crawl/{id}</c> and <see cref="FakeJob.Cancel"/>.</summary>
public class CancelTests : KitTestBase
{
    private static FakeJobOptions Running(FakeJobKind kind = FakeJobKind.BatchScrape) =>
        new() { Kind = kind, ScrapingRequests = 4, PageLimit = 100 };

    [Theory]
    [InlineData(FakeJobKind.BatchScrape, "v2/batch/scrape")]
    [InlineData(FakeJobKind.Crawl, "v2/crawl")]
    public async Task Delete_RunningJob_Returns200Cancelled(FakeJobKind kind, string route)
    {
        FakeJob job = Server.AddJob(Pages(8), Running(kind));

        (HttpStatusCode status, JsonElement body) = await DeleteAsync($"{route}/{job.Id}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal("cancelled", body.GetProperty("status").GetString());
        Assert.True(job.IsCancelled);
    }

    [Fact]
    public async Task Delete_RunningJob_LaterStatusRequestsSeeCancelledWithPagesFrozen()
    {
        FakeJob job = Server.AddJob(Pages(8), Running());
        await GetJsonAsync($"v2/batch/scrape/{job.Id}");
        await GetJsonAsync($"v2/batch/scrape/{job.Id}");

        await DeleteAsync($"v2/batch/scrape/{job.Id}");
        (_, JsonElement first) = await GetJsonAsync($"v2/batch/scrape/{job.Id}");
        for (int i = 0; i < 5; i++)
        {
            await GetJsonAsync($"v2/batch/scrape/{job.Id}");
        }

        (_, JsonElement later) = await GetJsonAsync($"v2/batch/scrape/{job.Id}");

        // Two requests served: the third would have seen 8 * 2 / 4 = 4 pages, and that is what stays.
        foreach (JsonElement body in new[] { first, later })
        {
            Assert.Equal("cancelled", body.GetProperty("status").GetString());
            Assert.Equal(4, body.GetProperty("completed").GetInt32());
            Assert.Equal(["page-0", "page-1", "page-2", "page-3"], ScrapeIds(body));
            Assert.False(body.TryGetProperty("next", out _));
        }
    }

    [Fact]
    public async Task Delete_FinishedJob_Returns409()
    {
        FakeJob job = Server.AddJob(Pages(3));

        (HttpStatusCode status, JsonElement body) = await DeleteAsync($"v2/batch/scrape/{job.Id}");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Contains("completed", Error(body), StringComparison.Ordinal);
        Assert.False(job.IsCancelled);
    }

    [Fact]
    public async Task Delete_JobThatFinishedWhileBeingRead_Returns409()
    {
        FakeJob job = Server.AddJob(Pages(3), new FakeJobOptions { Kind = FakeJobKind.Crawl, ScrapingRequests = 1 });
        await GetJsonAsync($"v2/crawl/{job.Id}");

        (HttpStatusCode status, _) = await DeleteAsync($"v2/crawl/{job.Id}");

        Assert.Equal(HttpStatusCode.Conflict, status);
    }

    [Fact]
    public async Task Delete_Twice_SecondReturns409()
    {
        FakeJob job = Server.AddJob(Pages(3), Running());

        (HttpStatusCode first, _) = await DeleteAsync($"v2/batch/scrape/{job.Id}");
        (HttpStatusCode second, JsonElement body) = await DeleteAsync($"v2/batch/scrape/{job.Id}");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Conflict), (first, second));
        Assert.Contains("cancelled", Error(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_UnknownJob_Returns404()
    {
        (HttpStatusCode status, JsonElement body) = await DeleteAsync($"v2/crawl/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Job not found", Error(body));
    }

    [Fact]
    public async Task Delete_JobOfTheOtherKind_Returns404AndLeavesItRunning()
    {
        FakeJob job = Server.AddJob(Pages(3), Running(FakeJobKind.Crawl));

        (HttpStatusCode status, _) = await DeleteAsync($"v2/batch/scrape/{job.Id}");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.False(job.IsCancelled);
    }

    [Fact]
    public async Task Delete_MalformedId_Returns400()
    {
        (HttpStatusCode status, _) = await DeleteAsync("v2/batch/scrape/123");

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task Delete_DoesNotCountAsStatusRequest()
    {
        FakeJob job = Server.AddJob(Pages(3), Running());

        await DeleteAsync($"v2/batch/scrape/{job.Id}");

        Assert.Equal(0, job.StatusRequests);
    }

    [Fact]
    public async Task Cancel_MidRead_ReaderSeesCancelledAndOnlyThePagesSoFar()
    {
        FakeJob job = Server.AddJob(Pages(10), new FakeJobOptions { ScrapingRequests = 5, PageLimit = 100 });
        (_, JsonElement first) = await GetJsonAsync($"v2/batch/scrape/{job.Id}");
        (_, JsonElement second) = await GetJsonAsync(first.GetProperty("next").GetString()!);

        bool cancelled = job.Cancel();
        List<string> rest = await ReadAllScrapeIdsAsync(second.GetProperty("next").GetString()!);
        (_, JsonElement last) = await GetJsonAsync($"v2/batch/scrape/{job.Id}");

        Assert.True(cancelled);
        Assert.Equal(["page-0", "page-1"], ScrapeIds(second));
        Assert.Equal(["page-2", "page-3"], rest);
        Assert.Equal("cancelled", last.GetProperty("status").GetString());
        Assert.Equal(4, last.GetProperty("completed").GetInt32());
    }

    [Fact]
    public void Cancel_FinishedJob_ReturnsFalse()
    {
        FakeJob job = Server.AddJob(Pages(2), new FakeJobOptions { FinalStatus = "failed" });

        Assert.False(job.Cancel());
        Assert.False(job.IsCancelled);
    }

    [Fact]
    public async Task Delete_StartedJob_CancelsIt()
    {
        (_, JsonElement started) = await PostAsync("v2/crawl", """{"url":"https://docs.example.com"}""");

        (HttpStatusCode status, _) = await DeleteAsync($"v2/crawl/{started.GetProperty("id").GetString()}");
        (_, JsonElement body) = await GetJsonAsync(started.GetProperty("url").GetString()!);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("cancelled", body.GetProperty("status").GetString());
        Assert.Equal(0, body.GetProperty("completed").GetInt32());
    }
}
