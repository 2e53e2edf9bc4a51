using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using static Firecrawl.Streaming.Tests.Jobs.JobRequests;

namespace Firecrawl.Streaming.Tests.Jobs;

/// <summary>
/// A start is sent again only when it certainly never arrived (no connection, a 429); once it may have arrived it
/// fails with <see cref="JobStreamErrorCode.StartOutcomeUnknown"/>, and the server holds at most the one job.
/// </summary>
public class StartFaultTests : FakeServerTestBase
{
    private static readonly BatchScrapeRequest Batch = new() { Urls = ["https://a.example/1", "https://a.example/2"] };

    [Fact]
    public async Task StartBatchScrapeAsync_RateLimitedOnce_WaitsTheDelayInTheMessageThenStartsOneJob()
    {
        Server.StartFaults.Enqueue(FakeStartFault.RateLimited(TimeSpan.FromSeconds(1)));
        using FirecrawlJobClient client = Client();
        var clock = Stopwatch.StartNew();

        StartedJob job = await client.StartBatchScrapeAsync(Batch, Ct);

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), $"retried after {clock.Elapsed}");
        List<RecordedRequest> posts = Posts(Server);
        Assert.Equal([429, 200], posts.Select(p => p.StatusCode));
        Assert.All(posts, p => Assert.Equal(job.IdempotencyKey, p.IdempotencyKey));
        Assert.Equal(job.Id, Assert.Single(Server.StartedJobs).Id);
    }

    [Fact]
    public async Task StartBatchScrapeAsync_RateLimitedBeyondRetries_Throws429WithKeyAndNoJob()
    {
        Server.StartFaults.Enqueue(FakeStartFault.Status(429, "Rate limit exceeded, retry after 0s")).Enqueue(FakeStartFault.Status(429, "Rate limit exceeded, retry after 0s"));
        using FirecrawlJobClient client = Client(o => o.MaxRetries = 1);

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => client.StartBatchScrapeAsync(Batch, Ct));

        Assert.Equal((JobStreamErrorCode.HttpError, 429), (error.ErrorCode, error.Status));
        Assert.Contains("No job was started", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, Posts(Server).Count);
        Assert.Equal(Posts(Server)[0].IdempotencyKey, error.IdempotencyKey);
        Assert.Empty(Server.StartedJobs);
    }

    [Fact]
    public async Task StartBatchScrapeAsync_ConnectionRefusedOnce_RetriedAndStartsOneJob()
    {
        int connects = 0;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectCallback = async (context, token) =>
            {
                if (Interlocked.Increment(ref connects) == 1)
                {
                    throw new SocketException((int)SocketError.ConnectionRefused);
                }

                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler);
        using var client = new FirecrawlJobClient(http, Options());

        StartedJob job = await client.StartBatchScrapeAsync(Batch, Ct);

        Assert.Equal(2, connects);
        Assert.Equal(job.IdempotencyKey, Assert.Single(Posts(Server)).IdempotencyKey);
        Assert.Equal(job.Id, Assert.Single(Server.StartedJobs).Id);
    }

    [Fact]
    public async Task StartBatchScrapeAsync_ApiUnreachable_ThrowsTransportAfterRetries()
    {
        var port = new TcpListener(IPAddress.Loopback, 0);
        port.Start();
        int closed = ((IPEndPoint)port.LocalEndpoint).Port;
        port.Stop();
        using FirecrawlJobClient client = Client(o =>
        {
            o.BaseAddress = new Uri($"http://127.0.0.1:{closed}");
            o.MaxRetries = 1;
        });

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => client.StartBatchScrapeAsync(Batch, Ct));

        Assert.Equal(JobStreamErrorCode.Transport, error.ErrorCode);
        Assert.Contains("after 1 retries", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartBatchScrapeAsync_DropAfterCreateOnAReusedConnection_StartOutcomeUnknownAndOneJob()
    {
        using FirecrawlJobClient client = Client();
        await client.StartBatchScrapeAsync(Batch, Ct); // the connection is now pooled: nothing may replay the next POST on a new one
        Server.StartFaults.Enqueue(FakeStartFault.DropAfterCreate());

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => client.StartBatchScrapeAsync(Batch, Ct));

        Assert.Equal(JobStreamErrorCode.StartOutcomeUnknown, error.ErrorCode);
        Assert.False(error.IsTransient);
        RecordedRequest dropped = Posts(Server)[1];
        Assert.Equal((2, 0), (Posts(Server).Count, dropped.StatusCode));
        Assert.Equal(dropped.IdempotencyKey, error.IdempotencyKey);
        Assert.Contains(error.IdempotencyKey!, error.Message, StringComparison.Ordinal);
        Assert.Contains("GET /v2/team/activity?endpoint=batch_scrape", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, Server.StartedJobs.Count);
    }

    [Fact]
    public async Task StartCrawlAsync_DropAfterCreate_StartOutcomeUnknownAndOneCrawl()
    {
        Server.StartFaults.Enqueue(FakeStartFault.DropAfterCreate());
        using FirecrawlJobClient client = Client();

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => client.StartCrawlAsync(new CrawlRequest { Url = "https://docs.example.com" }, Ct));

        Assert.Equal(JobStreamErrorCode.StartOutcomeUnknown, error.ErrorCode);
        Assert.Contains("endpoint=crawl", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.IdempotencyKey, Assert.Single(Posts(Server)).IdempotencyKey);
        Assert.Equal(FakeJobKind.Crawl, Assert.Single(Server.StartedJobs).Kind);
    }

    [Fact]
    public async Task StartBatchScrapeAsync_SlowAnswerBeyondResponseTimeout_StartOutcomeUnknownAndOneJob()
    {
        Server.StartFaults.Enqueue(FakeStartFault.SlowAnswer(TimeSpan.FromSeconds(30)));
        using FirecrawlJobClient client = Client(o => o.ResponseTimeout = TimeSpan.FromMilliseconds(300));

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => client.StartBatchScrapeAsync(Batch, Ct));

        Assert.Equal(JobStreamErrorCode.StartOutcomeUnknown, error.ErrorCode);
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.True(Guid.TryParse(error.IdempotencyKey, out _));

        // The server records the request only when its slow answer ends; the job it created exists already.
        for (int i = 0; i < 100 && Server.StartedJobs.Count == 0; i++)
        {
            await Task.Delay(50, Ct);
        }

        Assert.Single(Server.StartedJobs);
    }

    /// <summary>
    /// The kit's CloseBeforeCreate reads the whole request and closes the connection: on the wire that is the same as
    /// DropAfterCreate, so the client cannot know no job was created, and must not replay the POST.
    /// </summary>
    [Fact]
    public async Task StartBatchScrapeAsync_ClosedAfterTheRequestWasRead_NotReplayedEvenThoughNoJobExists()
    {
        Server.StartFaults.Enqueue(FakeStartFault.CloseBeforeCreate());
        using FirecrawlJobClient client = Client();

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => client.StartBatchScrapeAsync(Batch, Ct));

        Assert.Equal(JobStreamErrorCode.StartOutcomeUnknown, error.ErrorCode);
        Assert.Single(Posts(Server));
        Assert.Empty(Server.StartedJobs);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task StartBatchScrapeAsync_ServerError_NotRetriedAndReportedAsUnknownOutcome(int status)
    {
        Server.StartFaults.Enqueue(FakeStartFault.Status(status));
        using FirecrawlJobClient client = Client();

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => client.StartBatchScrapeAsync(Batch, Ct));

        Assert.Equal((JobStreamErrorCode.StartOutcomeUnknown, status), (error.ErrorCode, error.Status));
        Assert.Equal("An unexpected error occurred on the server.", error.ServerError);
        Assert.False(error.IsTransient);
        Assert.Single(Posts(Server));
        Assert.Empty(Server.StartedJobs);
    }

    [Fact]
    public async Task StartBatchScrapeAsync_BadRequest_NotRetriedAndSaysNoJobWasStarted()
    {
        Server.StartFaults.Enqueue(FakeStartFault.Status(400, "Bad Request: urls: Invalid"));
        using FirecrawlJobClient client = Client();

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => client.StartBatchScrapeAsync(Batch, Ct));

        Assert.Equal((JobStreamErrorCode.HttpError, 400), (error.ErrorCode, error.Status));
        Assert.Contains("No job was started", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.IdempotencyKey);
        Assert.Single(Posts(Server));
    }
}
