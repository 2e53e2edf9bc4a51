using System.Text.Json;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using static Firecrawl.Streaming.Tests.Jobs.JobRequests;

namespace Firecrawl.Streaming.Tests.Jobs;

/// <summary><c>StartBatchScrapeAsync</c>: the body it sends, the job it returns, and what it refuses before sending.</summary>
public class StartBatchScrapeTests : FakeServerTestBase
{
    private static readonly string[] TwoUrls = ["https://a.example/1", "https://b.example/2?q=1"];

    [Fact]
    public async Task StartBatchScrapeAsync_UrlsAndSomeOptions_SendsOnePostInCamelCaseWithoutNulls()
    {
        using FirecrawlJobClient client = Client();

        StartedJob job = await client.StartBatchScrapeAsync(new BatchScrapeRequest
        {
            Urls = TwoUrls,
            ScrapeOptions = new PageScrapeOptions { Formats = ["markdown", ScrapeFormat.Links], OnlyMainContent = false },
            MaxConcurrency = 4,
        }, Ct);

        RecordedRequest post = Assert.Single(Server.Requests);
        Assert.Equal(("POST", "/v2/batch/scrape", 200), (post.Method, post.Path, post.StatusCode));
        JsonElement body = Body(post);
        Assert.Equal(Sorted("urls", "formats", "onlyMainContent", "maxConcurrency"), Names(body));
        Assert.Equal(TwoUrls, Strings(body.GetProperty("urls")));
        Assert.Equal(["markdown", "links"], Strings(body.GetProperty("formats")));
        Assert.False(body.GetProperty("onlyMainContent").GetBoolean());
        Assert.Equal(4, body.GetProperty("maxConcurrency").GetInt32());
        Assert.True(Guid.TryParseExact(post.IdempotencyKey, "D", out _), $"not a UUID: {post.IdempotencyKey}");
        FakeJob started = Assert.Single(Server.StartedJobs);
        Assert.Equal((JobKind.BatchScrape, started.Id, post.IdempotencyKey), (job.Kind, job.Id, job.IdempotencyKey));
        Assert.Equal(new Uri(Server.BaseAddress, $"v2/batch/scrape/{started.Id}"), job.Url);
        Assert.Empty(job.InvalidUrls);
        Assert.Equal(2, started.PageCount);
    }

    [Fact]
    public async Task StartBatchScrapeAsync_QueryAndNonAsciiUrl_WrittenAsThemselvesNotAsEscapes()
    {
        using FirecrawlJobClient client = Client();
        const string url = "https://shop.example/bücher?a=1&b=<2>+'3'";

        await client.StartBatchScrapeAsync(new BatchScrapeRequest { Urls = [url] }, Ct);

        RecordedRequest post = Assert.Single(Server.Requests);
        Assert.Equal("{\"urls\":[\"" + url + "\"]}", post.Body);
        Assert.Equal(url, Assert.Single(Server.StartedJobs).Pages.Select(p => JsonDocument.Parse(p).RootElement.GetProperty("metadata").GetProperty("sourceURL").GetString()).Single());
    }

    [Fact]
    public async Task StartBatchScrapeAsync_TwoStarts_EachHasItsOwnKey()
    {
        using FirecrawlJobClient client = Client();
        var request = new BatchScrapeRequest { Urls = TwoUrls };

        StartedJob first = await client.StartBatchScrapeAsync(request, Ct);
        StartedJob second = await client.StartBatchScrapeAsync(request, Ct);

        Assert.NotEqual(first.IdempotencyKey, second.IdempotencyKey);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal([first.IdempotencyKey, second.IdempotencyKey], Posts(Server).Select(p => p.IdempotencyKey));
    }

    [Fact]
    public async Task StartBatchScrapeAsync_EveryPropertySet_StrictServerAcceptsEveryName()
    {
        using FirecrawlJobClient client = Client();
        JsonElement schema = Json("""{"type":"object","properties":{"name":{"type":"string"}}}""");

        StartedJob job = await client.StartBatchScrapeAsync(new BatchScrapeRequest
        {
            Urls = TwoUrls,
            ScrapeOptions = FullScrapeOptions(schema),
            Webhook = FullWebhook(),
            MaxConcurrency = 2,
            IgnoreInvalidUrls = true,
            ZeroDataRetention = false,
        }, Ct);

        JsonElement body = Body(Assert.Single(Server.Requests));
        Assert.Equal(Sorted(
            "urls", "webhook", "maxConcurrency", "ignoreInvalidURLs", "zeroDataRetention",
            "formats", "onlyMainContent", "includeTags", "excludeTags", "waitFor", "timeout", "mobile", "maxAge", "headers", "proxy", "blockAds",
            "location", "parsers"), Names(body));
        Assert.Equal(Sorted("url", "headers", "metadata", "events"), Names(body.GetProperty("webhook")));
        JsonElement json = body.GetProperty("formats")[2];
        Assert.Equal(("json", "the name"), (json.GetProperty("type").GetString(), json.GetProperty("prompt").GetString()));
        Assert.Equal(schema.GetRawText(), json.GetProperty("schema").GetRawText());
        Assert.Equal(172_800_000, body.GetProperty("maxAge").GetInt64());
        Assert.Equal("DE", body.GetProperty("location").GetProperty("country").GetString());
        Assert.Equal(job.Id, Assert.Single(Server.StartedJobs).Id);
    }

    [Fact]
    public async Task StartBatchScrapeAsync_InvalidUrlsAndIgnoreInvalidUnset_ServerSkipsAndListsThem()
    {
        using FirecrawlJobClient client = Client();

        StartedJob job = await client.StartBatchScrapeAsync(new BatchScrapeRequest { Urls = ["https://a.example/1", "not a url", "ftp://files.example/x"] }, Ct);

        Assert.Equal(["not a url", "ftp://files.example/x"], job.InvalidUrls);
        Assert.Equal(1, Assert.Single(Server.StartedJobs).PageCount);
        Assert.DoesNotContain("ignoreInvalidURLs", Names(Body(Assert.Single(Server.Requests))));
    }

    [Fact]
    public async Task StartBatchScrapeAsync_InvalidUrlsAndIgnoreInvalidFalse_ThrowsListingThemWithoutSending()
    {
        using FirecrawlJobClient client = Client();
        string[] urls = ["https://a.example/1", "relative/path", "mailto:x@example.com", "", "https://b.example/2"];

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            client.StartBatchScrapeAsync(new BatchScrapeRequest { Urls = urls, IgnoreInvalidUrls = false }, Ct));

        Assert.Contains("3 of the 5 URLs", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"relative/path\", \"mailto:x@example.com\", \"\"", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("b.example", error.Message, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task StartBatchScrapeAsync_ManyInvalidUrls_QuotesTheFirstFiveAndCountsTheRest()
    {
        using FirecrawlJobClient client = Client();
        string[] urls = [.. Enumerable.Range(0, 8).Select(i => $"bad-{i}")];

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            client.StartBatchScrapeAsync(new BatchScrapeRequest { Urls = urls, IgnoreInvalidUrls = false }, Ct));

        Assert.Contains("\"bad-4\" and 3 more", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("bad-5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartBatchScrapeAsync_NoUrls_ThrowsWithoutSending()
    {
        using FirecrawlJobClient client = Client();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.StartBatchScrapeAsync(new BatchScrapeRequest { Urls = [] }, Ct));

        Assert.Contains("at least one URL", error.Message, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task StartBatchScrapeAsync_NullUrl_ThrowsNamingItsIndex()
    {
        using FirecrawlJobClient client = Client();

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            client.StartBatchScrapeAsync(new BatchScrapeRequest { Urls = ["https://a.example/", null!] }, Ct));

        Assert.Contains("Urls[1]", error.Message, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
    }

    [Theory]
    [InlineData("formats")]
    [InlineData("urls")]
    public async Task StartBatchScrapeAsync_AdditionalPropertyRepeatsAKey_ThrowsWithoutSending(string key)
    {
        using FirecrawlJobClient client = Client();
        var options = new PageScrapeOptions { Formats = ["markdown"] };
        options.AdditionalProperties[key] = Json("""["html"]""");

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            client.StartBatchScrapeAsync(new BatchScrapeRequest { Urls = TwoUrls, ScrapeOptions = options }, Ct));

        Assert.Contains($"\"{key}\"", error.Message, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task StartBatchScrapeAsync_BodyOfExactlyTenMillionBytes_IsSentAndAccepted()
    {
        using FirecrawlJobClient client = Client();

        StartedJob job = await client.StartBatchScrapeAsync(new BatchScrapeRequest { Urls = UrlsForBody(10_000_000) }, Ct);

        Assert.Equal(10_000_000, System.Text.Encoding.UTF8.GetByteCount(Assert.Single(Server.Requests).Body!));
        Assert.Equal(job.Id, Assert.Single(Server.StartedJobs).Id);
    }

    [Fact]
    public async Task StartBatchScrapeAsync_BodyOverTenMillionBytes_RefusedBeforeSendingWithCountsAndAdvice()
    {
        using FirecrawlJobClient client = Client();
        string[] urls = UrlsForBody(10_000_001);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.StartBatchScrapeAsync(new BatchScrapeRequest { Urls = urls }, Ct));

        Assert.Contains("10,000,001 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("222,222 URLs were given", error.Message, StringComparison.Ordinal);
        Assert.Contains("about 222,221 fit", error.Message, StringComparison.Ordinal);
        Assert.Contains("Split the list into several batch scrapes", error.Message, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task StartBatchScrapeAsync_MoreUrlsThanCredits_Throws402WithKeyAndNoJob()
    {
        await using FakeFirecrawlServer poor = await FakeFirecrawlServer.StartAsync(new FakeServerOptions { Credits = 1 }, Ct);
        using var client = new FirecrawlJobClient(Options(o => o.BaseAddress = poor.BaseAddress));

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => client.StartBatchScrapeAsync(new BatchScrapeRequest { Urls = TwoUrls }, Ct));

        Assert.Equal((JobStreamErrorCode.HttpError, 402), (error.ErrorCode, error.Status));
        Assert.Contains("Insufficient credits", error.ServerError, StringComparison.Ordinal);
        Assert.Contains("No job was started", error.Message, StringComparison.Ordinal);
        Assert.Equal(Assert.Single(poor.Requests).IdempotencyKey, error.IdempotencyKey);
        Assert.Empty(poor.StartedJobs);
    }

    internal static PageScrapeOptions FullScrapeOptions(JsonElement schema)
    {
        var options = new PageScrapeOptions
        {
            Formats = ["markdown", ScrapeFormat.Html, ScrapeFormat.Json(schema, "the name"), ScrapeFormat.FromJson(Json("""{"type":"screenshot","fullPage":true}"""))],
            OnlyMainContent = true,
            IncludeTags = ["article"],
            ExcludeTags = ["nav", ".ads"],
            WaitFor = 500,
            Timeout = 30_000,
            Mobile = false,
            MaxAge = 172_800_000,
            Headers = new Dictionary<string, string> { ["User-Agent"] = "tests" },
            Proxy = "auto",
            BlockAds = true,
        };
        options.AdditionalProperties["location"] = Json("""{"country":"DE","languages":["de-DE"]}""");
        options.AdditionalProperties["parsers"] = Json("""[{"type":"pdf","pages":true}]""");
        return options;
    }

    internal static JobWebhook FullWebhook() => new()
    {
        Url = new Uri("https://hooks.example/firecrawl"),
        Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer hook-secret" },
        Metadata = new Dictionary<string, string> { ["run"] = "42" },
        Events = ["started", "page", "completed"],
    };

    /// <summary>
    /// URLs whose body (<c>{"urls":[...]}</c>, 10 bytes plus 45 per 42-character URL) is exactly <paramref name="bytes"/>
    /// long: 222,222 URLs make 10,000,000 bytes, and the first URL is lengthened for anything more.
    /// </summary>
    private static string[] UrlsForBody(int bytes)
    {
        string[] urls = [.. Enumerable.Range(0, 222_222).Select(i => $"https://example.com/p{i:D21}")];
        urls[0] += new string('x', bytes - 10_000_000);
        return urls;
    }
}
