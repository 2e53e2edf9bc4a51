using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Pipeline;

/// <summary>
/// The pipeline pools page buffers and releases each page once every sink's write of it has completed; a sink that
/// keeps a page longer retains it.
/// </summary>
public class PageLifetimeTests : FakeServerTestBase
{
    private static readonly PipelineOptions SmallBatches = new() { SinkDefaults = { BatchSize = 7, MaxBatchDelay = TimeSpan.FromMilliseconds(2) } };

    [Fact]
    public async Task StreamJobToSinksAsync_SinkKeepsPagesWithoutRetaining_PagesReleasedOnceWritten()
    {
        FakeJob job = Server.AddJob(Pages(60), new FakeJobOptions { PageLimit = 20 });
        using FirecrawlJobClient client = Client();
        var kept = new List<ScrapedPage>();
        var sink = new DelegatePageSink("keeps", (pages, _) =>
        {
            kept.AddRange(pages);
            return ValueTask.CompletedTask;
        });

        PipelineResult result = await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [sink], SmallBatches, Ct);

        Assert.Equal(60, result.PagesRead);
        Assert.Equal(60, kept.Count);
        Assert.All(kept, page => Assert.Throws<ObjectDisposedException>(() => page.Utf8Json));
    }

    [Fact]
    public async Task StreamJobToSinksAsync_SinkRetainsPages_PagesStayValidUntilItReleasesThem()
    {
        FakeJob job = Server.AddJob(Pages(60), new FakeJobOptions { PageLimit = 20 });
        using FirecrawlJobClient client = Client();
        var kept = new List<ScrapedPage>();
        var sink = new DelegatePageSink("retains", (pages, _) =>
        {
            kept.AddRange(pages.Select(p => p.Retain()));
            return ValueTask.CompletedTask;
        });

        await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [sink], SmallBatches, Ct);

        Assert.Equal(job.Pages, kept.Select(p => p.Utf8Json.ToArray()));
        kept.ForEach(p => p.Dispose());
        Assert.All(kept, page => Assert.Throws<ObjectDisposedException>(() => page.Utf8Json));
    }

    [Fact]
    public async Task StreamJobToSinksAsync_OneSinkFastOneSlow_PagesValidUntilTheSlowSinkHasWrittenThem()
    {
        FakeJob job = Server.AddJob(Pages(200), new FakeJobOptions { PageLimit = 50 });
        using FirecrawlJobClient client = Client();
        var fast = new List<ScrapedPage>();
        var slow = new List<byte[]>();
        IPageSink[] sinks =
        [
            new DelegatePageSink("fast", (pages, _) =>
            {
                fast.AddRange(pages);
                return ValueTask.CompletedTask;
            }),
            new DelegatePageSink("slow", async (pages, ct) =>
            {
                await Task.Delay(5, ct);
                slow.AddRange(pages.Select(p => p.Utf8Json.ToArray()));
            }),
        ];

        await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, sinks, SmallBatches, Ct);

        Assert.Equal(job.Pages, slow);
        Assert.Equal(200, fast.Count);
        Assert.All(fast, page => Assert.Throws<ObjectDisposedException>(() => page.Utf8Json));
    }

    [Fact]
    public void Retain_AfterTheLastHolderReleased_Throws()
    {
        ScrapedPage page = PageParser.Parse(TestPages.Json(1));
        page.Retain().Dispose();
        Assert.Equal(TestPages.Json(1), page.Utf8Json.ToArray());

        page.Dispose();
        page.Dispose();

        Assert.Throws<ObjectDisposedException>(() => page.Utf8Json);
        Assert.Throws<ObjectDisposedException>(() => page.Retain());
    }
}
