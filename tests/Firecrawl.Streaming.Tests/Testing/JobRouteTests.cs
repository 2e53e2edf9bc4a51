using System.Net;
using System.Text.Json;
using Firecrawl.Streaming.Testing;

namespace Firecrawl.Streaming.Tests.Testing;

/// <summary>Status and errors routes for both job kinds, and the request record.</summary>
public class JobRouteTests : KitTestBase
{
    [Fact]
    public async Task GetCrawl_CrawlJob_ServesChunksWithCrawlNextLinks()
    {
        FakeJob job = Server.AddJob(Pages(5), new FakeJobOptions { Kind = FakeJobKind.Crawl, PageLimit = 2 });

        (HttpStatusCode status, JsonElement body) = await GetJsonAsync($"v2/crawl/{job.Id}");

        Assert.Equal(FakeJobKind.Crawl, job.Kind);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal(["page-0", "page-1"], ScrapeIds(body));
        Assert.Equal($"{Server.BaseAddress}v2/crawl/{job.Id}?skip=2", body.GetProperty("next").GetString());
    }

    [Fact]
    public async Task GetCrawl_FollowingNext_DeliversEveryPageOnce()
    {
        FakeJob job = Server.AddJob(Pages(7), new FakeJobOptions { Kind = FakeJobKind.Crawl, PageLimit = 3, ScrapingRequests = 2 });

        List<string> ids = await ReadAllScrapeIdsAsync($"v2/crawl/{job.Id}");

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"page-{i}"), ids);
    }

    [Fact]
    public async Task GetCrawl_BatchJobId_Returns404JobNotFound()
    {
        FakeJob batch = Server.AddJob(Pages(1));

        (HttpStatusCode status, JsonElement body) = await GetJsonAsync($"v2/crawl/{batch.Id}");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Job not found", Error(body));
        Assert.Equal(0, batch.StatusRequests);
    }

    [Fact]
    public async Task GetBatch_CrawlJobId_Returns404JobNotFound()
    {
        FakeJob crawl = Server.AddJob(Pages(1), new FakeJobOptions { Kind = FakeJobKind.Crawl });

        (HttpStatusCode status, JsonElement body) = await GetJsonAsync($"v2/batch/scrape/{crawl.Id}");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Job not found", Error(body));
    }

    [Fact]
    public async Task GetBatch_DefaultKind_ServesBatchNextLinksAsBefore()
    {
        FakeJob job = Server.AddJob(Pages(3), new FakeJobOptions { PageLimit = 2 });

        (_, JsonElement body) = await GetJsonAsync($"v2/batch/scrape/{job.Id}?limit=2");

        Assert.Equal(FakeJobKind.BatchScrape, job.Kind);
        Assert.Equal($"{Server.BaseAddress}v2/batch/scrape/{job.Id}?skip=2&limit=2", body.GetProperty("next").GetString());
    }

    [Fact]
    public async Task GetCrawlErrors_CrawlJob_ReturnsErrorsAndRobotsBlocked()
    {
        FakeJob job = Server.AddJob(Pages(1), new FakeJobOptions
        {
            Kind = FakeJobKind.Crawl,
            Errors = [new FakeScrapeError("https://example.com/x", "Timed out", "SCRAPE_TIMEOUT")],
            RobotsBlocked = ["https://example.com/private"],
        });

        (HttpStatusCode status, JsonElement body) = await GetJsonAsync($"v2/crawl/{job.Id}/errors");

        Assert.Equal(HttpStatusCode.OK, status);
        JsonElement error = Assert.Single(body.GetProperty("errors").EnumerateArray());
        Assert.Equal("https://example.com/x", error.GetProperty("url").GetString());
        Assert.Equal("SCRAPE_TIMEOUT", error.GetProperty("code").GetString());
        Assert.Equal("https://example.com/private", Assert.Single(body.GetProperty("robotsBlocked").EnumerateArray()).GetString());
        Assert.False(body.TryGetProperty("success", out _));
    }

    [Fact]
    public async Task GetBatchErrors_CrawlJob_Returns404()
    {
        FakeJob job = Server.AddJob(Pages(1), new FakeJobOptions { Kind = FakeJobKind.Crawl });

        (HttpStatusCode status, _) = await GetJsonAsync($"v2/batch/scrape/{job.Id}/errors");

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Theory]
    [InlineData("v2/crawl/not-a-uuid")]
    [InlineData("v2/crawl/not-a-uuid/errors")]
    public async Task GetCrawl_MalformedId_Returns400InvalidJobId(string path)
    {
        (HttpStatusCode status, JsonElement body) = await GetJsonAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Invalid job ID", Error(body));
    }

    [Theory]
    [InlineData("v2/crawl/a/b/c")]
    [InlineData("v2/batch")]
    [InlineData("v1/crawl/00000000-0000-0000-0000-000000000000")]
    public async Task Get_UnknownRoute_Returns404NotFound(string path)
    {
        (HttpStatusCode status, JsonElement body) = await GetJsonAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Not found", Error(body));
    }

    [Fact]
    public async Task GetCrawl_WrongKey_Returns401()
    {
        FakeJob job = Server.AddJob(Pages(1), new FakeJobOptions { Kind = FakeJobKind.Crawl });
        using HttpClient stranger = NewClient("fc-wrong");

        (HttpStatusCode status, JsonElement body) = await GetJsonAsync(stranger, $"v2/crawl/{job.Id}");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Unauthorized: Invalid token", Error(body));
    }

    [Fact]
    public async Task RevokeApiKey_OldKey_Gets401OnEveryRouteAndNewKeyWorks()
    {
        FakeJob job = Server.AddJob(Pages(3));
        string old = Server.ApiKey;

        string replacement = Server.RevokeApiKey();

        Assert.NotEqual(old, replacement);
        Assert.Equal(replacement, Server.ApiKey);
        (HttpStatusCode status, JsonElement body) = await GetJsonAsync($"v2/batch/scrape/{job.Id}");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Unauthorized: Invalid token", Error(body));
        (HttpStatusCode start, _) = await PostAsync("v2/batch/scrape", """{"urls":["https://example.com"]}""");
        Assert.Equal(HttpStatusCode.Unauthorized, start);
        using HttpClient renewed = NewClient(replacement);
        Assert.Equal(HttpStatusCode.OK, (await GetJsonAsync(renewed, $"v2/batch/scrape/{job.Id}")).Status);
    }

    [Fact]
    public void Jobs_AddedJobs_ListedInCreationOrder()
    {
        FakeJob first = Server.AddJob(Pages(1));
        FakeJob second = Server.AddJob(Pages(1), new FakeJobOptions { Kind = FakeJobKind.Crawl });

        Assert.Equal([first, second], Server.Jobs);
        Assert.Empty(Server.StartedJobs);
    }

    [Fact]
    public async Task Requests_StartWithIdempotencyKey_RecordsBodyAndKey()
    {
        const string Body = """{"urls":["https://example.com/a"]}""";
        string key = Guid.NewGuid().ToString();

        await PostAsync("v2/batch/scrape", Body, key);
        await GetJsonAsync($"v2/batch/scrape/{Server.StartedJobs[0].Id}");

        RecordedRequest post = Server.Requests[0];
        Assert.Equal(("POST", "/v2/batch/scrape", 200), (post.Method, post.Path, post.StatusCode));
        Assert.Equal(Body, post.Body);
        Assert.Equal(key, post.IdempotencyKey);
        RecordedRequest get = Server.Requests[1];
        Assert.Null(get.Body);
        Assert.Null(get.IdempotencyKey);
    }

    [Fact]
    public void RecordedRequest_PositionalConstructor_StillBuildsWithoutBodyOrKey()
    {
        var request = new RecordedRequest("GET", "/v2/crawl/x", "", "127.0.0.1", null, 200);

        Assert.Null(request.Body);
        Assert.Null(request.IdempotencyKey);
        Assert.Equal(request, request with { });
    }
}
