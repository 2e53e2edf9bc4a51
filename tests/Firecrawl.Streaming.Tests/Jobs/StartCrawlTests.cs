using System.Text.Json;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using static Firecrawl.Streaming.Tests.Jobs.JobRequests;

namespace Firecrawl.Streaming.Tests.Jobs;

/// <summary><c>StartCrawlAsync</c>: the body it sends (scrape options nested), the crawl it returns, what it refuses.</summary>
public class StartCrawlTests : FakeServerTestBase
{
    [Fact]
    public async Task StartCrawlAsync_UrlAndLimit_SendsOnePostInCamelCaseWithoutNulls()
    {
        using FirecrawlJobClient client = Client();

        StartedJob crawl = await client.StartCrawlAsync(new CrawlRequest
        {
            Url = "https://docs.example.com",
            Limit = 5,
            ScrapeOptions = new PageScrapeOptions { Formats = [ScrapeFormat.Markdown] },
        }, Ct);

        RecordedRequest post = Assert.Single(Server.Requests);
        Assert.Equal(("POST", "/v2/crawl", 200), (post.Method, post.Path, post.StatusCode));
        JsonElement body = Body(post);
        Assert.Equal(Sorted("url", "limit", "scrapeOptions"), Names(body));
        Assert.Equal(["formats"], Names(body.GetProperty("scrapeOptions")));
        Assert.True(Guid.TryParseExact(post.IdempotencyKey, "D", out _));
        FakeJob started = Assert.Single(Server.StartedJobs);
        Assert.Equal((JobKind.Crawl, started.Id, post.IdempotencyKey), (crawl.Kind, crawl.Id, crawl.IdempotencyKey));
        Assert.Equal(new Uri(Server.BaseAddress, $"v2/crawl/{started.Id}"), crawl.Url);
        Assert.Equal((FakeJobKind.Crawl, 5), (started.Kind, started.PageCount));
    }

    [Fact]
    public async Task StartCrawlAsync_EveryPropertySet_StrictServerAcceptsEveryName()
    {
        using FirecrawlJobClient client = Client();

        await client.StartCrawlAsync(new CrawlRequest
        {
            Url = "https://docs.example.com/start",
            Prompt = "only the API reference",
            Limit = 3,
            IncludePaths = ["^/api/.*"],
            ExcludePaths = ["^/blog/.*"],
            MaxDiscoveryDepth = 2,
            Sitemap = "skip",
            IgnoreQueryParameters = true,
            RegexOnFullUrl = false,
            CrawlEntireDomain = true,
            AllowExternalLinks = false,
            AllowSubdomains = true,
            IgnoreRobotsTxt = false,
            RobotsUserAgent = "FirecrawlTests",
            Delay = 1.5,
            MaxConcurrency = 1,
            ScrapeOptions = StartBatchScrapeTests.FullScrapeOptions(Json("""{"type":"object"}""")),
            Webhook = StartBatchScrapeTests.FullWebhook(),
            ZeroDataRetention = false,
        }, Ct);

        JsonElement body = Body(Assert.Single(Server.Requests));
        Assert.Equal(Sorted(
            "url", "prompt", "limit", "includePaths", "excludePaths", "maxDiscoveryDepth", "sitemap", "ignoreQueryParameters",
            "regexOnFullURL", "crawlEntireDomain", "allowExternalLinks", "allowSubdomains", "ignoreRobotsTxt", "robotsUserAgent",
            "delay", "maxConcurrency", "scrapeOptions", "webhook", "zeroDataRetention"), Names(body));
        Assert.Equal(Sorted(
            "formats", "onlyMainContent", "includeTags", "excludeTags", "waitFor", "timeout", "mobile", "maxAge", "headers", "proxy", "blockAds",
            "location", "parsers"), Names(body.GetProperty("scrapeOptions")));
        Assert.Equal(1.5, body.GetProperty("delay").GetDouble());
        Assert.Single(Server.StartedJobs);
    }

    [Theory]
    [InlineData("docs.example.com")]
    [InlineData("/relative")]
    [InlineData("ftp://docs.example.com")]
    [InlineData("")]
    public async Task StartCrawlAsync_NotAnHttpUrl_ThrowsWithoutSending(string url)
    {
        using FirecrawlJobClient client = Client();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.StartCrawlAsync(new CrawlRequest { Url = url }, Ct));

        Assert.Contains("absolute http or https URL", error.Message, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task StartCrawlAsync_ScrapeOptionRepeatedInAdditionalProperties_ThrowsWithoutSending()
    {
        using FirecrawlJobClient client = Client();
        var options = new PageScrapeOptions { Mobile = true };
        options.AdditionalProperties["mobile"] = Json("false");

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            client.StartCrawlAsync(new CrawlRequest { Url = "https://docs.example.com", ScrapeOptions = options }, Ct));

        Assert.Contains("\"mobile\"", error.Message, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
    }
}
