using System.Net;
using System.Text;
using System.Text.Json;
using Firecrawl.Streaming.Testing;

namespace Firecrawl.Streaming.Tests.Testing;

/// <summary><c>POST /v2/batch/scrape</c>: the answer, the job it starts, validation, body size and credits.</summary>
public class StartBatchTests : KitTestBase
{
    private const string Path = "v2/batch/scrape";

    protected override FakeServerOptions ServerOptions => new() { Credits = 10, MaxRequestBodyBytes = 4096 };

    [Fact]
    public async Task PostBatch_ValidUrls_AnswersIdAndUrlFromHostHeader()
    {
        (HttpStatusCode status, JsonElement body) = await PostAsync(Path, """{"urls":["https://a.example/1","https://b.example/2"]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("success").GetBoolean());
        FakeJob job = Assert.Single(Server.StartedJobs);
        Assert.Equal(job.Id, body.GetProperty("id").GetString());
        Assert.Equal($"{Server.BaseAddress}v2/batch/scrape/{job.Id}", body.GetProperty("url").GetString());
        Assert.Empty(body.GetProperty("invalidURLs").EnumerateArray());
        Assert.Equal(FakeJobKind.BatchScrape, job.Kind);
        Assert.Contains(job, Server.Jobs);
    }

    [Fact]
    public async Task PostBatch_ValidUrls_OnePagePerUrlInOrderWithUniqueScrapeIds()
    {
        string[] urls = ["https://a.example/1", "https://b.example/2?q=1", "http://c.example/"];

        await PostAsync(Path, JsonSerializer.Serialize(new { urls }));

        FakeJob job = Assert.Single(Server.StartedJobs);
        Assert.Equal(3, job.PageCount);
        JsonElement[] metadata = [.. job.Pages.Select(p => JsonDocument.Parse(p).RootElement.GetProperty("metadata").Clone())];
        Assert.Equal(urls, metadata.Select(m => m.GetProperty("sourceURL").GetString()));
        Assert.Equal(urls, metadata.Select(m => m.GetProperty("url").GetString()));
        Assert.Equal(3, metadata.Select(m => Guid.Parse(m.GetProperty("scrapeId").GetString()!)).Distinct().Count());
    }

    [Fact]
    public async Task PostBatch_TwoStarts_ScrapeIdsDistinctAcrossJobs()
    {
        await PostAsync(Path, """{"urls":["https://a.example/1","https://a.example/2"]}""");
        await PostAsync(Path, """{"urls":["https://a.example/1","https://a.example/2"]}""");

        string[] ids = [.. Server.StartedJobs.SelectMany(j => j.Pages).Select(p =>
            JsonDocument.Parse(p).RootElement.GetProperty("metadata").GetProperty("scrapeId").GetString()!)];
        Assert.Equal(4, ids.Distinct().Count());
    }

    [Fact]
    public async Task PostBatch_StartedJob_ScrapesForAFewRequestsThenDeliversEveryPage()
    {
        (_, JsonElement answer) = await PostAsync(Path, """{"urls":["https://a.example/1","https://a.example/2","https://a.example/3"]}""");
        string url = answer.GetProperty("url").GetString()!;

        (_, JsonElement first) = await GetJsonAsync(url);
        List<string> ids = await ReadAllScrapeIdsAsync(url);

        Assert.Equal("scraping", first.GetProperty("status").GetString());
        Assert.Equal(0, first.GetProperty("completed").GetInt32());
        FakeJob job = Server.StartedJobs[0];
        Assert.Equal(job.Pages.Select(p => JsonDocument.Parse(p).RootElement.GetProperty("metadata").GetProperty("scrapeId").GetString()), ids);
    }

    [Fact]
    public async Task PostBatch_StartedJobOptionsFactory_AppliesToTheNewJob()
    {
        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(
            new FakeServerOptions { StartedJobOptions = () => new FakeJobOptions { PageLimit = 1 } }, Ct);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", server.ApiKey);

        using HttpResponseMessage started = await client.PostAsync(Path, new StringContent("""{"urls":["https://a.example/1","https://a.example/2"]}"""), Ct);
        FakeJob job = Assert.Single(server.StartedJobs);
        using JsonDocument status = JsonDocument.Parse(await client.GetStringAsync($"v2/batch/scrape/{job.Id}", Ct));

        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.Equal(1, job.Options.PageLimit);
        Assert.Equal("completed", status.RootElement.GetProperty("status").GetString());
        Assert.Single(status.RootElement.GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task PostBatch_InvalidUrlsIgnoredByDefault_DroppedAndListed()
    {
        (HttpStatusCode status, JsonElement body) = await PostAsync(Path, """{"urls":["https://a.example/1","not a url","ftp://b.example/x","/relative"]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["not a url", "ftp://b.example/x", "/relative"], body.GetProperty("invalidURLs").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal(1, Server.StartedJobs[0].PageCount);
    }

    [Fact]
    public async Task PostBatch_InvalidUrlWithIgnoreInvalidUrlsFalse_Returns400AndStartsNothing()
    {
        (HttpStatusCode status, JsonElement body) = await PostAsync(Path, """{"urls":["https://a.example/1","nope"],"ignoreInvalidURLs":false}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Contains("nope", Error(body), StringComparison.Ordinal);
        Assert.Empty(Server.StartedJobs);
        Assert.Equal(10, Server.RemainingCredits);
    }

    [Fact]
    public async Task PostBatch_IgnoreInvalidUrlsFalseAllValid_AnswersWithoutInvalidUrls()
    {
        (HttpStatusCode status, JsonElement body) = await PostAsync(Path, """{"urls":["https://a.example/1"],"ignoreInvalidURLs":false}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.TryGetProperty("invalidURLs", out _));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"urls":["https://a.example"]""")]
    [InlineData("""["https://a.example"]""")]
    [InlineData("""{}""")]
    [InlineData("""{"urls":[]}""")]
    [InlineData("""{"urls":"https://a.example"}""")]
    [InlineData("""{"urls":[1,2]}""")]
    [InlineData("""{"urls":["nope"]}""")]
    [InlineData("""{"urls":["https://a.example"],"onlyMainContent":"yes"}""")]
    [InlineData("""{"urls":["https://a.example"],"webhook":{"events":["page"]}}""")]
    [InlineData("""{"urls":["https://a.example"],"maxConcurrency":0}""")]
    public async Task PostBatch_InvalidBody_Returns400WithSuccessFalse(string body)
    {
        (HttpStatusCode status, JsonElement answer) = await PostAsync(Path, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(answer.GetProperty("success").GetBoolean());
        Assert.False(string.IsNullOrEmpty(Error(answer)));
        Assert.Empty(Server.StartedJobs);
    }

    [Theory]
    [InlineData("url")]
    [InlineData("limit")]
    [InlineData("scrapeOptions")]
    [InlineData("whatever")]
    public async Task PostBatch_UnknownTopLevelKey_Returns400NamingIt(string key)
    {
        (HttpStatusCode status, JsonElement body) = await PostAsync(Path, $$"""{"urls":["https://a.example"],"{{key}}":1}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains($"'{key}'", Error(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostBatch_DocumentedOptions_Accepted()
    {
        const string Body = """
            {"urls":["https://a.example"],"formats":["markdown",{"type":"json","prompt":"p"}],"onlyMainContent":true,
             "includeTags":["main"],"excludeTags":["nav"],"waitFor":500,"timeout":30000,"mobile":false,"maxAge":0,
             "headers":{"x":"y"},"actions":[],"location":{"country":"US"},"proxy":"auto","blockAds":true,
             "parsers":["pdf"],"removeBase64Images":true,"storeInCache":false,"skipTlsVerification":false,
             "webhook":{"url":"https://hooks.example/x","headers":{"a":"b"},"metadata":{"k":"v"},"events":["page"]},
             "maxConcurrency":4,"ignoreInvalidURLs":true,"zeroDataRetention":false}
            """;

        (HttpStatusCode status, _) = await PostAsync(Path, Body);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task PostBatch_WebhookAsString_Accepted()
    {
        (HttpStatusCode status, _) = await PostAsync(Path, """{"urls":["https://a.example"],"webhook":"https://hooks.example/x"}""");

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task PostBatch_BodyOverLimit_Returns413AndStartsNothing()
    {
        string urls = string.Join(',', Enumerable.Range(0, 200).Select(i => $"\"https://a.example/{i}\""));

        (HttpStatusCode status, JsonElement body) = await PostAsync(Path, $$"""{"urls":[{{urls}}]}""");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Empty(Server.StartedJobs);
        Assert.Null(Server.Requests[^1].Body);
    }

    [Fact]
    public async Task PostBatch_ChunkedBodyOverLimit_Returns413()
    {
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"urls":["https://a.example/{{new string('x', 5000)}}"]}""")));
        content.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using HttpResponseMessage response = await Http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task PostBatch_DefaultLimit_Accepts9MbAndRejectsOver10Mb()
    {
        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", server.ApiKey);
        string Body(int bytes) => $$$"""{"urls":["https://a.example/1"],"headers":{"x":"{{{new string('a', bytes)}}}"}}""";

        using HttpResponseMessage small = await client.PostAsync(Path, new StringContent(Body(9_000_000)), Ct);
        using HttpResponseMessage large = await client.PostAsync(Path, new StringContent(Body(10_000_000)), Ct);

        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.Single(server.StartedJobs);
    }

    [Fact]
    public async Task PostBatch_MoreUrlsThanCredits_Returns402AndStartsNothing()
    {
        string urls = JsonSerializer.Serialize(Enumerable.Range(0, 11).Select(i => $"https://a.example/{i}"));

        (HttpStatusCode status, JsonElement body) = await PostAsync(Path, $$"""{"urls":{{urls}}}""");

        Assert.Equal(HttpStatusCode.PaymentRequired, status);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Empty(Server.StartedJobs);
        Assert.Equal(10, Server.RemainingCredits);
    }

    [Fact]
    public async Task PostBatch_WithinCredits_DebitsUrlsSubmitted()
    {
        await PostAsync(Path, """{"urls":["https://a.example/1","https://a.example/2","bad"]}""");
        (HttpStatusCode second, _) = await PostAsync(Path, """{"urls":["https://a.example/1","https://a.example/2","https://a.example/3","https://a.example/4","https://a.example/5","https://a.example/6","https://a.example/7","https://a.example/8"]}""");

        Assert.Equal(HttpStatusCode.PaymentRequired, second);
        Assert.Equal(7, Server.RemainingCredits);
        Assert.Single(Server.StartedJobs);
    }

    [Fact]
    public async Task PostBatch_IdempotencyKeyReusedOrMalformed_NotChecked()
    {
        (HttpStatusCode first, _) = await PostAsync(Path, """{"urls":["https://a.example/1"]}""", "same");
        (HttpStatusCode second, _) = await PostAsync(Path, """{"urls":["https://a.example/1"]}""", "same");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first, second));
        Assert.Equal(2, Server.StartedJobs.Count);
        Assert.All(Server.Requests, r => Assert.Equal("same", r.IdempotencyKey));
    }
}
