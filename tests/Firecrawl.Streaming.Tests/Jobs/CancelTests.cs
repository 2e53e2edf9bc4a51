using System.Net;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Jobs;

/// <summary><c>CancelAsync</c>: one DELETE, its answers, and its retries (a DELETE can be repeated without harm).</summary>
public class CancelTests : FakeServerTestBase
{
    [Fact]
    public async Task CancelAsync_RunningJob_CancelledAndItsStreamEnds()
    {
        FakeJob job = Server.AddJob(Pages(40), new FakeJobOptions { ScrapingRequests = 1_000, PageLimit = 5 });
        using FirecrawlJobClient client = Client();
        JobPages pages = client.StreamBatchScrapeAsync(job.Id, cancellationToken: Ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        await using IAsyncEnumerator<ScrapedPage> reader = pages.GetAsyncEnumerator(deadline.Token);
        Assert.True(await reader.MoveNextAsync());
        Assert.Equal("scraping", pages.Status?.Status);

        JobStatus cancelled = await client.CancelAsync(JobKind.BatchScrape, job.Id, Ct);
        var keys = new List<string> { reader.Current.Key };
        while (await reader.MoveNextAsync())
        {
            keys.Add(reader.Current.Key);
        }

        Assert.Equal(("cancelled", 0L, 0L), (cancelled.Status, cancelled.Total, cancelled.Completed));
        Assert.True(job.IsCancelled);
        Assert.Equal("cancelled", pages.Status?.Status);
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.True(keys.Count < 40, $"{keys.Count} pages: the job finished instead of being cancelled");
        RecordedRequest delete = Assert.Single(Server.Requests, r => r.Method == "DELETE");
        Assert.Equal(($"/v2/batch/scrape/{job.Id}", 200), (delete.Path, delete.StatusCode));
    }

    [Fact]
    public async Task CancelAsync_RunningCrawl_UsesTheCrawlRoute()
    {
        FakeJob crawl = Server.AddJob(Pages(3), new FakeJobOptions { Kind = FakeJobKind.Crawl, ScrapingRequests = 10 });
        using FirecrawlJobClient client = Client();

        JobStatus cancelled = await client.CancelAsync(JobKind.Crawl, crawl.Id, Ct);

        Assert.Equal("cancelled", cancelled.Status);
        Assert.Equal($"/v2/crawl/{crawl.Id}", Assert.Single(Server.Requests).Path);
    }

    [Fact]
    public async Task CancelAsync_FinishedJob_Throws409SayingItHadFinished()
    {
        FakeJob job = Server.AddJob(Pages(2));
        using FirecrawlJobClient client = Client();

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => client.CancelAsync(JobKind.BatchScrape, job.Id, Ct));

        Assert.Equal((JobStreamErrorCode.HttpError, 409, job.Id), (error.ErrorCode, error.Status, error.JobId));
        Assert.Contains("had already finished", error.Message, StringComparison.Ordinal);
        Assert.Equal("Batch scrape is already completed", error.ServerError);
        Assert.Single(Server.Requests);
        Assert.False(job.IsCancelled);
    }

    [Fact]
    public async Task CancelAsync_UnknownJob_Throws404()
    {
        using FirecrawlJobClient client = Client();

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => client.CancelAsync(JobKind.BatchScrape, Guid.NewGuid().ToString(), Ct));

        Assert.Equal(404, error.Status);
    }

    [Fact]
    public async Task CancelAsync_ServiceUnavailableOnce_RetriedAndCancels()
    {
        FakeJob job = Server.AddJob(Pages(3), new FakeJobOptions { ScrapingRequests = 10 });
        using var faulty = new FirstDeleteFails(answerFirst: false);
        using var http = new HttpClient(faulty);
        using var client = new FirecrawlJobClient(http, Options());

        JobStatus cancelled = await client.CancelAsync(JobKind.BatchScrape, job.Id, Ct);

        Assert.Equal("cancelled", cancelled.Status);
        Assert.Equal(2, faulty.Deletes);
        Assert.Single(Server.Requests);
        Assert.True(job.IsCancelled);
    }

    [Fact]
    public async Task CancelAsync_AnswerLostAfterTheJobWasCancelled_RetryFindsItCancelledAndSucceeds()
    {
        FakeJob job = Server.AddJob(Pages(3), new FakeJobOptions { ScrapingRequests = 10 });
        using var faulty = new FirstDeleteFails(answerFirst: true);
        using var http = new HttpClient(faulty);
        using var client = new FirecrawlJobClient(http, Options());

        JobStatus cancelled = await client.CancelAsync(JobKind.BatchScrape, job.Id, Ct);

        Assert.Equal("cancelled", cancelled.Status);
        Assert.Equal([200, 409], Server.Requests.Select(r => r.StatusCode));
    }

    /// <summary>
    /// Fails the first DELETE: either with a 503 of its own before the server sees it, or by losing the server's
    /// answer after the server acted on it.
    /// </summary>
    private sealed class FirstDeleteFails(bool answerFirst) : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        private int _deletes;

        public int Deletes => _deletes;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method != HttpMethod.Delete || Interlocked.Increment(ref _deletes) > 1)
            {
                return await base.SendAsync(request, cancellationToken);
            }

            if (!answerFirst)
            {
                return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = request, Content = new StringContent("""{"error":"busy"}""") };
            }

            using HttpResponseMessage lost = await base.SendAsync(request, cancellationToken);
            throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
        }
    }
}
