using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Http;

/// <summary>Redirects over real sockets: followed only on the same origin to the same resource, never carrying the key elsewhere.</summary>
public sealed class ApiConnectionRedirectTests : FakeServerTestBase
{
    private Uri StatusUri(FakeJob job, string query) => new(Server.BaseAddress, $"v2/batch/scrape/{job.Id}{query}");

    private void AssertOnlyOurOriginWasAsked() =>
        Assert.All(Server.Requests, r => Assert.Equal((Server.BaseAddress.Authority, "Bearer " + Server.ApiKey), (r.Host, r.Authorization)));

    [Theory]
    [InlineData("scheme")]
    [InlineData("host")]
    [InlineData("port")]
    public async Task StreamBatchScrapeAsync_RedirectToAnotherOrigin_RefusedNamingTheTargetWithoutFollowingIt(string differs)
    {
        await using FakeFirecrawlServer foreign = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);
        FakeJob job = Server.AddJob(Pages(30), new FakeJobOptions { PageLimit = 10 });
        string target = differs switch
        {
            "scheme" => $"https://{Server.BaseAddress.Authority}",
            "host" => $"http://localhost:{Server.BaseAddress.Port}",
            _ => $"http://{foreign.BaseAddress.Authority}",
        };
        job.Faults.Enqueue(FakeFault.Redirect(new Uri($"{target}/v2/batch/scrape/{job.Id}?skip=10")), atSkip: 10);
        using FirecrawlJobClient client = Client();
        var delivered = new List<ScrapedPage>();

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(async () =>
        {
            await foreach (ScrapedPage page in client.StreamBatchScrapeAsync(job.Id).WithCancellation(Ct))
            {
                delivered.Add(page);
            }
        });

        Assert.Equal(JobStreamErrorCode.InvalidCursor, error.ErrorCode);
        Assert.Contains(target, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Server.ApiKey, error.ToString(), StringComparison.Ordinal);
        Assert.Equal(Range(10), Indices(delivered));
        Assert.Empty(foreign.Requests);
        AssertOnlyOurOriginWasAsked();
    }

    [Theory]
    [InlineData("?skip=10", 302)]
    [InlineData("/?skip=10", 307)]
    [InlineData("?skip=10", 308)]
    public async Task StreamBatchScrapeAsync_SameOriginRedirectToTheSameResource_Followed(string pathAndQuery, int status)
    {
        FakeJob job = Server.AddJob(Pages(30), new FakeJobOptions { PageLimit = 10 });
        job.Faults.Enqueue(FakeFault.Redirect(StatusUri(job, pathAndQuery), status), atSkip: 10);
        using FirecrawlJobClient client = Client();

        List<ScrapedPage> pages = await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id));

        Assert.Equal(Range(30), Indices(pages));
        Assert.Equal(2, Server.Requests.Count(r => r.Path.Contains(job.Id, StringComparison.Ordinal) && r.Query == "?skip=10"));
        AssertOnlyOurOriginWasAsked();
    }

    [Theory]
    [InlineData("other job")]
    [InlineData("other cursor")]
    public async Task StreamBatchScrapeAsync_SameOriginRedirectToAnotherResource_Refused(string where)
    {
        FakeJob job = Server.AddJob(Pages(30), new FakeJobOptions { PageLimit = 10 });
        FakeJob other = Server.AddJob(Pages(30), new FakeJobOptions { PageLimit = 10 });
        Uri target = where == "other job" ? StatusUri(other, "?skip=10") : StatusUri(job, "?skip=20");
        job.Faults.Enqueue(FakeFault.Redirect(target), atSkip: 10);
        using FirecrawlJobClient client = Client();

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => ReadAllAsync(client.StreamBatchScrapeAsync(job.Id)));

        Assert.Equal((JobStreamErrorCode.InvalidCursor, 302), (error.ErrorCode, error.Status));
        Assert.Contains(target.AbsolutePath, error.Message, StringComparison.Ordinal);
        Assert.Empty(StatusRequests(other));
        Assert.DoesNotContain(StatusRequests(job), r => r.Query == "?skip=20");
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_RedirectLoopOnTheSameResource_RefusedAfterFiveHops()
    {
        FakeJob job = Server.AddJob(Pages(5));
        for (int i = 0; i < 6; i++)
        {
            job.Faults.Enqueue(FakeFault.Redirect(StatusUri(job, "")));
        }

        using FirecrawlJobClient client = Client();

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => ReadAllAsync(client.StreamBatchScrapeAsync(job.Id)));

        Assert.Equal(JobStreamErrorCode.InvalidCursor, error.ErrorCode);
        Assert.Equal(6, StatusRequests(job).Count);
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_InjectedClientFollowsARedirectToAnotherOrigin_ResponseRefusedAndTheKeyNeverSent()
    {
        await using FakeFirecrawlServer foreign = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);
        FakeJob job = Server.AddJob(Pages(30), new FakeJobOptions { PageLimit = 10 });
        job.Faults.Enqueue(FakeFault.Redirect(new Uri(foreign.BaseAddress, $"v2/batch/scrape/{job.Id}?skip=10")), atSkip: 10);
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true });
        using var client = new FirecrawlJobClient(http, Options());

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => ReadAllAsync(client.StreamBatchScrapeAsync(job.Id)));

        // The handler followed it (the response came from the other origin) but stripped the Authorization header.
        Assert.Equal(JobStreamErrorCode.InvalidCursor, error.ErrorCode);
        Assert.Contains(foreign.BaseAddress.Authority, error.Message, StringComparison.Ordinal);
        RecordedRequest followed = Assert.Single(foreign.Requests);
        Assert.Null(followed.Authorization);
        Assert.DoesNotContain(Server.ApiKey, error.ToString(), StringComparison.Ordinal);
    }
}
