using System.Net;
using System.Text.Json;
using Firecrawl.Streaming.Testing;

namespace Firecrawl.Streaming.Tests.Testing;

/// <summary><c>POST /v2/crawl</c>: the answer, the pages it finds, validation, idempotency and credits.</summary>
public class StartCrawlTests : KitTestBase
{
    private const string Path = "v2/crawl";

    protected override FakeServerOptions ServerOptions => new() { CrawlSiteSize = 12 };

    private static string[] SourceUrls(FakeJob job) =>
        [.. job.Pages.Select(p => JsonDocument.Parse(p).RootElement.GetProperty("metadata").GetProperty("sourceURL").GetString()!)];

    [Fact]
    public async Task PostCrawl_ValidBody_AnswersIdAndCrawlUrl()
    {
        (HttpStatusCode status, JsonElement body) = await PostAsync(Path, """{"url":"https://docs.example.com","limit":3}""");

        Assert.Equal(HttpStatusCode.OK, status);
        FakeJob job = Assert.Single(Server.StartedJobs);
        Assert.Equal(FakeJobKind.Crawl, job.Kind);
        Assert.Equal(job.Id, body.GetProperty("id").GetString());
        Assert.Equal($"{Server.BaseAddress}v2/crawl/{job.Id}", body.GetProperty("url").GetString());
        Assert.False(body.TryGetProperty("invalidURLs", out _));
    }

    [Fact]
    public async Task PostCrawl_Limit_FindsThatManyPagesUnderTheStartUrl()
    {
        await PostAsync(Path, """{"url":"https://docs.example.com/guide/","limit":4}""");

        Assert.Equal(
            ["https://docs.example.com/guide/page-0", "https://docs.example.com/guide/page-1", "https://docs.example.com/guide/page-2", "https://docs.example.com/guide/page-3"],
            SourceUrls(Server.StartedJobs[0]));
    }

    [Fact]
    public async Task PostCrawl_NoLimit_FindsTenPages()
    {
        await PostAsync(Path, """{"url":"https://docs.example.com"}""");

        Assert.Equal(10, Server.StartedJobs[0].PageCount);
    }

    [Fact]
    public async Task PostCrawl_LimitAboveSiteSize_FindsTheWholeSite()
    {
        await PostAsync(Path, """{"url":"https://docs.example.com","limit":1000}""");

        Assert.Equal(12, Server.StartedJobs[0].PageCount);
    }

    [Fact]
    public async Task PostCrawl_StartedJob_ReadableOnlyThroughCrawlRoute()
    {
        (_, JsonElement answer) = await PostAsync(Path, """{"url":"https://docs.example.com","limit":5}""");
        string id = answer.GetProperty("id").GetString()!;

        List<string> ids = await ReadAllScrapeIdsAsync(answer.GetProperty("url").GetString()!);
        (HttpStatusCode batch, _) = await GetJsonAsync($"v2/batch/scrape/{id}");

        Assert.Equal(5, ids.Distinct().Count());
        Assert.Equal(HttpStatusCode.NotFound, batch);
    }

    [Fact]
    public async Task PostCrawl_DocumentedOptions_Accepted()
    {
        const string Body = """
            {"url":"https://docs.example.com","prompt":"docs only","limit":2,"includePaths":["docs/.*"],"excludePaths":["blog/.*"],
             "maxDiscoveryDepth":2,"sitemap":"skip","ignoreQueryParameters":true,"regexOnFullURL":false,"crawlEntireDomain":true,
             "allowExternalLinks":false,"allowSubdomains":true,"ignoreRobotsTxt":false,"robotsUserAgent":"bot","delay":0.5,
             "maxConcurrency":2,"webhook":{"url":"https://hooks.example/x","events":["crawl.page"]},"zeroDataRetention":false,
             "scrapeOptions":{"formats":["markdown"],"onlyMainContent":true,"waitFor":100}}
            """;

        (HttpStatusCode status, _) = await PostAsync(Path, Body);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{}""")]
    [InlineData("""{"url":"docs.example.com"}""")]
    [InlineData("""{"url":"mailto:a@example.com"}""")]
    [InlineData("""{"url":42}""")]
    [InlineData("""{"url":"https://docs.example.com","limit":0}""")]
    [InlineData("""{"url":"https://docs.example.com","limit":"5"}""")]
    [InlineData("""{"url":"https://docs.example.com","urls":["https://docs.example.com"]}""")]
    [InlineData("""{"url":"https://docs.example.com","formats":["markdown"]}""")]
    [InlineData("""{"url":"https://docs.example.com","scrapeOptions":{"nope":true}}""")]
    [InlineData("""{"url":"https://docs.example.com","scrapeOptions":[]}""")]
    public async Task PostCrawl_InvalidBody_Returns400AndStartsNothing(string body)
    {
        (HttpStatusCode status, JsonElement answer) = await PostAsync(Path, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(answer.GetProperty("success").GetBoolean());
        Assert.Empty(Server.StartedJobs);
    }

    [Fact]
    public async Task PostCrawl_IdempotencyKeyNotUuid_Returns400()
    {
        (HttpStatusCode status, JsonElement body) = await PostAsync(Path, """{"url":"https://docs.example.com"}""", "my-key");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Invalid idempotency key", Error(body));
        Assert.Empty(Server.StartedJobs);
    }

    [Fact]
    public async Task PostCrawl_IdempotencyKeyReused_Returns409WithoutTheOriginalId()
    {
        string key = Guid.NewGuid().ToString();
        (HttpStatusCode first, JsonElement started) = await PostAsync(Path, """{"url":"https://docs.example.com"}""", key);

        (HttpStatusCode second, JsonElement body) = await PostAsync(Path, """{"url":"https://docs.example.com"}""", key);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Conflict), (first, second));
        Assert.Equal("Idempotency key already used", Error(body));
        Assert.False(body.TryGetProperty("id", out _));
        Assert.DoesNotContain(started.GetProperty("id").GetString()!, body.GetRawText(), StringComparison.Ordinal);
        Assert.Single(Server.StartedJobs);
    }

    [Fact]
    public async Task PostCrawl_KeyUsedByBatchStart_AcceptedSinceBatchDoesNotRecordIt()
    {
        string key = Guid.NewGuid().ToString();
        await PostAsync("v2/batch/scrape", """{"urls":["https://a.example"]}""", key);

        (HttpStatusCode status, _) = await PostAsync(Path, """{"url":"https://docs.example.com"}""", key);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task PostCrawl_KeySpentByInvalidBody_ReuseReturns409()
    {
        string key = Guid.NewGuid().ToString();
        (HttpStatusCode invalid, _) = await PostAsync(Path, """{"url":"nope"}""", key);

        (HttpStatusCode retry, _) = await PostAsync(Path, """{"url":"https://docs.example.com"}""", key);

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.Conflict), (invalid, retry));
    }

    [Fact]
    public async Task PostCrawl_DifferentKeys_EachStartsAJob()
    {
        await PostAsync(Path, """{"url":"https://docs.example.com"}""", Guid.NewGuid().ToString());
        await PostAsync(Path, """{"url":"https://docs.example.com"}""", Guid.NewGuid().ToString());

        Assert.Equal(2, Server.StartedJobs.Count);
    }
}

/// <summary>Credits as crawls spend them.</summary>
public class StartCrawlCreditTests : KitTestBase
{
    protected override FakeServerOptions ServerOptions => new() { Credits = 8 };

    [Fact]
    public async Task PostCrawl_WithinCredits_DebitsOnePerPage()
    {
        await PostAsync("v2/crawl", """{"url":"https://docs.example.com","limit":3}""");

        Assert.Equal(5, Server.RemainingCredits);
    }

    [Fact]
    public async Task PostCrawl_LimitAboveCredits_CappedToCreditsLeft()
    {
        await PostAsync("v2/crawl", """{"url":"https://docs.example.com","limit":20}""");

        Assert.Equal(8, Server.StartedJobs[0].PageCount);
        Assert.Equal(0, Server.RemainingCredits);
    }

    [Fact]
    public async Task PostCrawl_NoCreditsLeft_Returns402()
    {
        await PostAsync("v2/crawl", """{"url":"https://docs.example.com","limit":8}""");

        (HttpStatusCode status, JsonElement body) = await PostAsync("v2/crawl", """{"url":"https://docs.example.com","limit":1}""");

        Assert.Equal(HttpStatusCode.PaymentRequired, status);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Single(Server.StartedJobs);
    }
}
