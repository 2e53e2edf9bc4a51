using System.Diagnostics;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Firecrawl.Streaming.Tests.Diagnostics;

/// <summary>The client's identity on the wire, and its log events, spans and metrics without a host.</summary>
public sealed class ClientTelemetryTests : FakeServerTestBase
{
    [Fact]
    public async Task StreamBatchScrapeAsync_AnyRequest_SendsTheLibrarysUserAgent()
    {
        FakeJob job = Server.AddJob(Pages(5));
        using FirecrawlJobClient client = Client();

        await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id));

        Assert.NotEmpty(Server.Requests);
        Assert.All(Server.Requests, r => Assert.Matches(@"^Firecrawl\.Streaming/\d+\.\d+\.\d+", r.UserAgent));
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_StillScraping_LogsPollingAndTheRetriedFailureWithItsReason()
    {
        FakeJob job = Server.AddJob(Pages(20), new FakeJobOptions { PageLimit = 10, ScrapingRequests = 3 });
        FakeJob failing = Server.AddJob(Pages(5));
        failing.Faults.Enqueue(FakeFault.Status(503, "busy"), atSkip: 0);
        using var telemetry = new TelemetryRecorder();
        using var retries = new MetricCollector<long>(telemetry.MeterFactory, FirecrawlStreamingDiagnostics.MeterName, "firecrawl.client.retries");
        using FirecrawlJobClient client = Client(o =>
        {
            o.LoggerFactory = telemetry.LoggerFactory;
            o.MeterFactory = telemetry.MeterFactory;
        });

        Assert.Equal(5, (await ReadAllAsync(client.StreamBatchScrapeAsync(failing.Id))).Count);
        List<ScrapedPage> pages = await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id));

        Assert.Equal(20, pages.Count);
        var retried = Assert.Single(telemetry.Events(103));
        Assert.Contains("reason server_error", retried.Message, StringComparison.Ordinal);
        Assert.Equal("Firecrawl.Streaming.Http", retried.Category);
        Assert.NotEmpty(telemetry.Events(202));
        Assert.All(telemetry.Events(202), e => Assert.Contains(job.Id, e.Message, StringComparison.Ordinal));
        Assert.Equal("server_error", Assert.Single(retries.GetMeasurementSnapshot()).Tags["firecrawl.retry.reason"]);
        Assert.All(telemetry.Logs.GetSnapshot(), r => Assert.DoesNotContain(Server.ApiKey, r.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_RedirectToAnotherOrigin_LogsTheRefusal()
    {
        FakeJob job = Server.AddJob(Pages(20), new FakeJobOptions { PageLimit = 10 });
        job.Faults.Enqueue(FakeFault.Redirect(new Uri($"http://localhost:{Server.BaseAddress.Port}/v2/batch/scrape/{job.Id}?skip=10")), atSkip: 10);
        using var telemetry = new TelemetryRecorder();
        using FirecrawlJobClient client = Client(o => o.LoggerFactory = telemetry.LoggerFactory);

        await Assert.ThrowsAsync<FirecrawlApiException>(() => ReadAllAsync(client.StreamBatchScrapeAsync(job.Id)));

        var refused = Assert.Single(telemetry.Events(105));
        Assert.Contains("http://localhost:", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("skip=", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamBatchScrapeAsync_Prefetching_EveryChunkSpanIsAChildOfTheStreamsSpan()
    {
        FakeJob job = Server.AddJob(Pages(50), new FakeJobOptions { PageLimit = 10 });
        using var telemetry = new TelemetryRecorder();
        using FirecrawlJobClient client = Client();

        await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id));

        Activity stream = Assert.Single(telemetry.Spans("firecrawl.job.stream"), s => (string?)s.GetTagItem("firecrawl.job.id") == job.Id);
        Activity[] chunks = [.. telemetry.Spans("firecrawl.chunk.request").Where(s => (string?)s.GetTagItem("firecrawl.job.id") == job.Id)];
        Assert.Equal([0L, 10L, 20L, 30L, 40L], chunks.Select(c => (long)c.GetTagItem("firecrawl.chunk.skip")!).Order());
        Assert.All(chunks, c => Assert.Equal(stream.SpanId, c.ParentSpanId));
        Assert.All(chunks, c => Assert.Equal(10, c.GetTagItem("firecrawl.chunk.pages")));
    }
}
