using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Paging;

/// <summary>Memory stays bounded by the largest page and the chunks read ahead, not by the response or the job.</summary>
/// <remarks>Runs alone: it measures the process's live heap, which tests running alongside would inflate.</remarks>
[Collection(nameof(Tests.Client.ProcessStateTests))]
public class MemoryTests : FakeServerTestBase
{
    [Fact]
    public async Task StreamBatchScrapeAsync_200MegabyteJobIn10MegabyteChunks_LiveHeapGrowthStaysUnderLargestPagePlusReadAheadPlus32MB()
    {
        var shape = new PageShape { MarkdownChars = 40_000, Html = true, Links = 20 };
        double average = Enumerable.Range(0, 50).Average(i => FakePageGenerator.Page(i, seed: 3, shape).Length);
        int count = (int)(200L * 1024 * 1024 / average) + 50;
        byte[] template = FakePageGenerator.Page(0, seed: 3, shape);
        FakeJob job = Server.AddJob(count, i => FakePageGenerator.Page(i % 50, seed: 3, shape), new FakeJobOptions { PageLimit = 1000 });
        using FirecrawlJobClient client = Client();
        JobPages stream = client.StreamBatchScrapeAsync(job.Id, new JobStreamOptions { DropDuplicates = false });

        // Warm up first: Kestrel's and the pipes' memory pools keep the blocks they have used once, a fixed
        // cost that does not grow with the job. What is measured is growth while the large job streams.
        FakeJob warmUp = Server.AddJob(300, i => FakePageGenerator.Page(i % 50, seed: 3, shape), new FakeJobOptions { PageLimit = 100 });
        await foreach (ScrapedPage page in client.StreamBatchScrapeAsync(warmUp.Id, new JobStreamOptions { DropDuplicates = false }).WithCancellation(Ct))
        {
            GC.KeepAlive(page);
        }

        // Live (reachable) memory after full collections: what the stream keeps, not garbage awaiting a GC.
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        long largest = 0;
        int delivered = 0;
        await foreach (ScrapedPage page in stream.WithCancellation(Ct))
        {
            largest = Math.Max(largest, page.Utf8Length);
            if (++delivered % 200 == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
            }
        }

        // The allowance covers buffers that ArrayPool.Shared and Kestrel's block pool keep once used (per size
        // class and core, so it does not grow with the job), and the bodies buffered: at most MaxConcurrency, plus one
        // while the chunk in turn fills a gap the cap left before bodies already downloading (the documented bound),
        // each one response (10 MiB of this ASCII corpus, plus the page that crosses the cap). The job itself is ~2.5
        // times larger than the bound, and the bound does not grow with it.
        int readAhead = new FirecrawlJobClientOptions().MaxConcurrency + 1;
        long bound = largest + (32L * 1024 * 1024) + (readAhead * ((10L * 1024 * 1024) + largest));
        TestContext.Current.TestOutputHelper?.WriteLine($"peak live heap growth {peak:N0} bytes over {stream.BytesReceived:N0} bytes in {stream.ChunksReceived} chunks; largest page {largest:N0}");
        Assert.Equal(count, delivered);
        Assert.True(stream.BytesReceived > 200L * 1024 * 1024, $"received {stream.BytesReceived:N0} bytes");
        Assert.True(stream.ChunksReceived >= 19, $"{stream.ChunksReceived} chunks");
        Assert.True(peak < bound, $"live heap grew by {peak:N0} bytes; bound {bound:N0} (largest page {largest:N0}, template {template.Length:N0})");
    }
}
