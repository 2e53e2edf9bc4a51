using System.Diagnostics;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Paging;

/// <summary>Timeouts that mean what they say, and a consumer that stops without waiting on requests it no longer wants.</summary>
public class JobPagesTimingTests : FakeServerTestBase
{
    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_LargePageOnASlowLinkThatNeverGoesSilent_ReadWithoutRetry(JobKind kind)
    {
        // 2 MB of markdown at about 800 KB/s: bytes arrive every ~20 ms, far inside the 700 ms idle timeout, but the
        // whole page takes seconds. Waiting for the parser's "twice as many bytes" under one idle timer failed here.
        List<byte[]> source = [.. Pages(2)];
        source[0] = TestPages.Json(0, markdown: new string('m', 2_000_000));
        FakeJob job = AddJob(kind, source);
        job.Faults.Enqueue(FakeFault.Trickle(16 * 1024, TimeSpan.FromMilliseconds(20)));
        using FirecrawlJobClient client = Client(o =>
        {
            o.BodyIdleTimeout = TimeSpan.FromMilliseconds(700);
            o.MaxRetries = 1;
        });

        List<ScrapedPage> pages = await ReadAllAsync(Stream(client, job));

        Assert.Equal(Range(2), Indices(pages));
        Assert.Equal(2_000_000, pages[0].Markdown!.Length);
        Assert.Single(StatusRequests(job));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StreamJobAsync_ConsumerBreaksWhileTheNextChunkIsStillOpening_StopsWithoutWaitingForIt(JobKind kind)
    {
        // Every response takes 3 s to start; the next chunk's request is sent as soon as the first chunk names it.
        FakeJob job = AddJob(kind, Pages(30), new FakeJobOptions { PageLimit = 10, Latency = TimeSpan.FromSeconds(3) });
        using FirecrawlJobClient client = Client();
        var afterBreak = new Stopwatch();

        await foreach (ScrapedPage page in Stream(client, job).WithCancellation(Ct))
        {
            afterBreak.Start();
            break;
        }

        afterBreak.Stop();
        Assert.True(afterBreak.Elapsed < TimeSpan.FromSeconds(1.5), $"stopping took {afterBreak.Elapsed}");
    }
}
