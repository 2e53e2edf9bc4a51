using System.Net;
using System.Text;
using System.Text.Json;
using Firecrawl.Streaming.Testing;

namespace Firecrawl.Streaming.Tests.Testing;

/// <summary>Scripted start faults: error statuses, connections closed before or after the job exists, slow answers.</summary>
public class StartFaultTests : KitTestBase
{
    private const string Batch = """{"urls":["https://a.example/1"]}""";
    private const string Crawl = """{"url":"https://docs.example.com","limit":2}""";

    [Fact]
    public async Task StartFaults_RateLimited_429WithDelayInMessageAndNoJob()
    {
        Server.StartFaults.Enqueue(FakeStartFault.RateLimited(TimeSpan.FromSeconds(12)));
        using HttpResponseMessage response = await Http.PostAsync("v2/batch/scrape", new StringContent(Batch), Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Contains("retry after 12s", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Retry-After"));
        Assert.Empty(Server.StartedJobs);
        Assert.Equal(0, Server.StartFaults.Count);
    }

    [Fact]
    public async Task StartFaults_StatusWithRetryAfter_SendsTheHeader()
    {
        Server.StartFaults.Enqueue(FakeStartFault.Status(429, retryAfter: TimeSpan.FromSeconds(3)));
        using HttpResponseMessage response = await Http.PostAsync("v2/crawl", new StringContent(Crawl), Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
        Assert.Contains("retry after 1s", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(402)]
    [InlineData(503)]
    public async Task StartFaults_Status_AnswersItWithSuccessFalseThenNextStartWorks(int code)
    {
        Server.StartFaults.Enqueue(FakeStartFault.Status(code));

        (HttpStatusCode failed, JsonElement body) = await PostAsync("v2/batch/scrape", Batch);
        (HttpStatusCode retried, _) = await PostAsync("v2/batch/scrape", Batch);

        Assert.Equal((HttpStatusCode)code, failed);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, retried);
        Assert.Single(Server.StartedJobs);
    }

    [Fact]
    public async Task StartFaults_DropAfterCreate_ClientGetsNoAnswerButTheJobExists()
    {
        Server.StartFaults.Enqueue(FakeStartFault.DropAfterCreate());

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => PostAsync("v2/crawl", Crawl));

        FakeJob job = Assert.Single(Server.StartedJobs);
        Assert.Equal(FakeJobKind.Crawl, job.Kind);
        Assert.Equal(2, job.PageCount);
        RecordedRequest request = Assert.Single(Server.Requests);
        Assert.Equal((Crawl, 0), (request.Body, request.StatusCode));
        using HttpClient fresh = NewClient();
        Assert.Equal(HttpStatusCode.OK, (await GetJsonAsync(fresh, $"v2/crawl/{job.Id}")).Status);
    }

    [Fact]
    public async Task StartFaults_DropAfterCreate_CrawlKeyIsSpentSoAReplayGets409()
    {
        string key = Guid.NewGuid().ToString();
        Server.StartFaults.Enqueue(FakeStartFault.DropAfterCreate());
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => PostAsync("v2/crawl", Crawl, key));

        using HttpClient fresh = NewClient();
        using var replay = new HttpRequestMessage(HttpMethod.Post, "v2/crawl") { Content = new StringContent(Crawl, Encoding.UTF8, "application/json") };
        replay.Headers.Add("x-idempotency-key", key);
        using HttpResponseMessage response = await fresh.SendAsync(replay, Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Single(Server.StartedJobs);
    }

    [Fact]
    public async Task StartFaults_CloseBeforeCreate_ClientGetsNoAnswerAndNoJobExists()
    {
        Server.StartFaults.Enqueue(FakeStartFault.CloseBeforeCreate());

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => PostAsync("v2/batch/scrape", Batch));

        Assert.Empty(Server.StartedJobs);
        RecordedRequest request = Assert.Single(Server.Requests);
        Assert.Equal((Batch, 0), (request.Body, request.StatusCode));
    }

    [Fact]
    public async Task StartFaults_CloseBeforeCreate_CrawlKeyNotSpent()
    {
        string key = Guid.NewGuid().ToString();
        Server.StartFaults.Enqueue(FakeStartFault.CloseBeforeCreate());
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => PostAsync("v2/crawl", Crawl, key));

        using HttpClient fresh = NewClient();
        using var retry = new HttpRequestMessage(HttpMethod.Post, "v2/crawl") { Content = new StringContent(Crawl, Encoding.UTF8, "application/json") };
        retry.Headers.Add("x-idempotency-key", key);
        using HttpResponseMessage response = await fresh.SendAsync(retry, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Server.StartedJobs);
    }

    [Fact]
    public async Task StartFaults_SlowAnswer_ClientTimesOutButTheJobExists()
    {
        Server.StartFaults.Enqueue(FakeStartFault.SlowAnswer(TimeSpan.FromSeconds(30)));
        using HttpClient impatient = NewClient(timeout: TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            impatient.PostAsync("v2/batch/scrape", new StringContent(Batch), Ct));

        Assert.Single(Server.StartedJobs);
    }

    [Fact]
    public async Task StartFaults_SlowAnswer_PatientClientGetsTheAnswer()
    {
        Server.StartFaults.Enqueue(FakeStartFault.SlowAnswer(TimeSpan.FromMilliseconds(300)));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        (HttpStatusCode status, JsonElement body) = await PostAsync("v2/batch/scrape", Batch);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), $"answered after {clock.Elapsed}");
        Assert.Equal(Server.StartedJobs[0].Id, body.GetProperty("id").GetString());
    }

    [Fact]
    public async Task StartFaults_KindFilter_SkipsStartsOfTheOtherKind()
    {
        Server.StartFaults.Enqueue(FakeStartFault.Status(500), FakeJobKind.Crawl);

        (HttpStatusCode batch, _) = await PostAsync("v2/batch/scrape", Batch);
        (HttpStatusCode crawl, _) = await PostAsync("v2/crawl", Crawl);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.InternalServerError), (batch, crawl));
    }

    [Fact]
    public async Task StartFaults_Queue_UsedInOrderOnePerStart()
    {
        Server.StartFaults
            .Enqueue(FakeStartFault.Status(500))
            .Enqueue(FakeStartFault.RateLimited(TimeSpan.FromSeconds(2)));

        HttpStatusCode[] statuses = [
            (await PostAsync("v2/batch/scrape", Batch)).Status,
            (await PostAsync("v2/batch/scrape", Batch)).Status,
            (await PostAsync("v2/batch/scrape", Batch)).Status,
        ];

        Assert.Equal([HttpStatusCode.InternalServerError, HttpStatusCode.TooManyRequests, HttpStatusCode.OK], statuses);
    }

    [Fact]
    public async Task StartFaults_UnauthorizedStart_DoesNotUseTheFault()
    {
        Server.StartFaults.Enqueue(FakeStartFault.Status(500));
        using HttpClient stranger = NewClient("fc-wrong");

        using HttpResponseMessage response = await stranger.PostAsync("v2/batch/scrape", new StringContent(Batch), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(1, Server.StartFaults.Count);
    }

    [Fact]
    public async Task StartFaults_DropAfterCreateWithInvalidBody_AnswersTheErrorAndUsesTheFault()
    {
        Server.StartFaults.Enqueue(FakeStartFault.DropAfterCreate());

        (HttpStatusCode status, _) = await PostAsync("v2/batch/scrape", """{"urls":[]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(0, Server.StartFaults.Count);
        Assert.Empty(Server.StartedJobs);
    }
}
