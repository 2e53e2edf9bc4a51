using System.Diagnostics;
using System.Net.Http.Headers;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Http;

/// <summary>The key stays out of every message, even when a proxy echoes it; credentials in the base address never leak; waits are bounded.</summary>
public sealed class ApiConnectionSecurityTests : FakeServerTestBase
{
    private const string Key = "fc-3f9a1c77d2e84b05a6c1e9d0b7f42a18";

    private static FirecrawlJobClientOptions RawOptions(RawHttpServer server) => new()
    {
        BaseAddress = server.BaseAddress,
        ApiKey = Key,
        MaxRetries = 0,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
    };

    /// <summary>No run of six or more characters of the key, wherever a preview may have cut it.</summary>
    private static void AssertNoKeyFragment(string text)
    {
        for (int i = 0; i + 6 <= Key.Length; i++)
        {
            Assert.DoesNotContain(Key.Substring(i, 6), text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(10)]
    [InlineData(30)]
    [InlineData(50)]
    [InlineData(54)]
    public async Task StreamBatchScrapeAsync_ProxyPageWith200EchoingTheKey_NotJsonErrorWithoutTheKey(int keyAt)
    {
        // The preview quotes the first 60 characters: the key lies inside them, or across the cut.
        await using var proxy = new RawHttpServer(request => RawHttpServer.Response(200, "text/html",
            "<p>" + new string('x', keyAt - 10) + $"{request.Authorization}</p></html>" + new string(' ', 100)));
        using var client = new FirecrawlJobClient(RawOptions(proxy));

        var error = await Assert.ThrowsAnyAsync<JobStreamException>(() => ReadAllAsync(client.StreamBatchScrapeAsync("job-1")));

        Assert.Equal(JobStreamErrorCode.NotJson, error.ErrorCode);
        Assert.Contains("<p>", error.Message, StringComparison.Ordinal);
        AssertNoKeyFragment(error.ToString());
    }

    [Theory]
    [InlineData(250)]
    [InlineData(280)]
    [InlineData(290)]
    [InlineData(294)]
    public async Task StreamBatchScrapeAsync_ErrorPageEchoingTheKeyAcrossThePreviewCut_ServerErrorWithoutTheKey(int keyAt)
    {
        // The server error quotes the first 300 characters of a page that is not JSON.
        await using var proxy = new RawHttpServer(request => RawHttpServer.Response(502, "text/html",
            "<html>" + new string('x', keyAt - 28) + $"Authorization: {request.Authorization} and more text after it</html>"));
        using var client = new FirecrawlJobClient(RawOptions(proxy));

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => ReadAllAsync(client.StreamBatchScrapeAsync("job-1")));

        Assert.Equal(502, error.Status);
        AssertNoKeyFragment(error.ToString());
        AssertNoKeyFragment(error.ServerError ?? "");
    }

    [Fact]
    public async Task GetErrorsAsync_ProxyPageEchoingTheKey_NotJsonErrorWithoutTheKey()
    {
        await using var proxy = new RawHttpServer(request => RawHttpServer.Response(200, "text/html",
            $"<p>{request.Authorization}</p>"));
        using var client = new FirecrawlJobClient(RawOptions(proxy));

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => client.GetErrorsAsync(JobKind.Crawl, "job-1", Ct));

        Assert.Equal(JobStreamErrorCode.NotJson, error.ErrorCode);
        AssertNoKeyFragment(error.ToString());
    }

    [Fact]
    public async Task GetErrorsAsync_EmptyBodyWith200_RetriedLikeA5xx()
    {
        int answered = 0;
        await using var proxy = new RawHttpServer(_ => Interlocked.Increment(ref answered) == 1
            ? RawHttpServer.Response(200, "application/json", "")
            : RawHttpServer.Response(200, "application/json", "{\"errors\":[{\"id\":\"e\",\"timestamp\":\"2026-11-28T10:00:00Z\",\"url\":\"https://a.example\",\"error\":\"timeout\"}],\"robotsBlocked\":[]}"));
        FirecrawlJobClientOptions options = RawOptions(proxy);
        options.MaxRetries = 2;
        using var client = new FirecrawlJobClient(options);

        JobErrors errors = await client.GetErrorsAsync(JobKind.BatchScrape, "job-1", Ct);

        Assert.Equal("https://a.example", Assert.Single(errors.Errors).Url);
        Assert.Equal(2, proxy.Requests.Count);
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_InjectedClientWithInfiniteTimeout_BoundedByResponseTimeout()
    {
        await using var silent = new RawHttpServer(_ => null);
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        FirecrawlJobClientOptions options = RawOptions(silent);
        options.ResponseTimeout = TimeSpan.FromMilliseconds(300);
        options.MaxRetries = 1;
        using var client = new FirecrawlJobClient(http, options);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => ReadAllAsync(client.StreamBatchScrapeAsync("job-1")));

        Assert.Equal(JobStreamErrorCode.Transport, error.ErrorCode);
        Assert.Contains("No response headers", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, silent.Requests.Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_BaseAddressWithUserInfo_NeverInRequestUriOrMessages()
    {
        FakeJob job = Server.AddJob(Pages(3));
        var withUserInfo = new UriBuilder(Server.BaseAddress) { UserName = "admin", Password = "hunter2-secret" }.Uri;
        using FirecrawlJobClient client = Client(o => o.BaseAddress = withUserInfo);

        List<ScrapedPage> pages = await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id));
        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => ReadAllAsync(client.StreamBatchScrapeAsync(Guid.NewGuid().ToString())));

        Assert.Equal(3, pages.Count);
        Assert.Equal(404, error.Status);
        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("admin", error.ToString(), StringComparison.Ordinal);
        Assert.Equal("", error.RequestUri!.UserInfo);
        Assert.All(Server.Requests, r => Assert.Equal("Bearer " + Server.ApiKey, r.Authorization));
    }

    [Theory]
    [InlineData("Rate limit exceeded, please retry after 99999999999s, resets at never", null)]
    [InlineData("Rate limit exceeded", 2147483647)]
    public async Task StreamBatchScrapeAsync_429AskingForAnAbsurdDelay_WaitsMaxRetryDelayInstead(string message, int? retryAfterSeconds)
    {
        FakeJob job = Server.AddJob(Pages(3));
        job.Faults.Enqueue(FakeFault.Status(429, message, retryAfterSeconds is int s ? TimeSpan.FromSeconds(s) : null));
        using FirecrawlJobClient client = Client(o => o.MaxRetryDelay = TimeSpan.FromMilliseconds(50));

        List<ScrapedPage> pages = await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id));

        Assert.Equal(Range(3), Indices(pages));
        Assert.Equal(2, StatusRequests(job).Count);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(23)]
    [InlineData(400)]
    public void ParseRetryAfter_AbsurdDelayInMessage_CappedAtADay(int digits)
    {
        TimeSpan? delay = RetryState.ParseRetryAfter(null, $"please retry after {new string('9', digits)}s", TimeProvider.System);

        Assert.Equal(TimeSpan.FromDays(1), delay);
    }

    [Fact]
    public void ParseRetryAfter_HeaderBeyondTimeSpan_CappedAtADay()
    {
        TimeSpan? delta = RetryState.ParseRetryAfter(new RetryConditionHeaderValue(TimeSpan.FromSeconds(int.MaxValue)), null, TimeProvider.System);
        TimeSpan? date = RetryState.ParseRetryAfter(new RetryConditionHeaderValue(DateTimeOffset.MaxValue), null, TimeProvider.System);

        Assert.Equal(TimeSpan.FromDays(1), delta);
        Assert.Equal(TimeSpan.FromDays(1), date);
    }
}
