using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using static Firecrawl.Streaming.Tests.Pipeline.PipelineTestExtensions;

namespace Firecrawl.Streaming.Tests.Pipeline;

/// <summary>A page filter between the stream and the sinks: batches in read order, left-out pages reach no sink.</summary>
public sealed class PipelineFilterTests : FakeServerTestBase
{
    /// <summary>Keeps pages whose position is not a multiple of three, and records what it was offered.</summary>
    private sealed class EveryThirdLeftOut(int batchSize, bool miscount = false) : IPageFilter
    {
        public List<int> BatchSizes { get; } = [];

        public List<long> Offered { get; } = [];

        public int BatchSize => batchSize;

        public ValueTask<IReadOnlyList<bool>> KeepAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken)
        {
            BatchSizes.Add(pages.Count);
            Offered.AddRange(pages.Select(p => p.Position));
            bool[] keep = [.. pages.Select(p => p.Position % 3 != 0)];
            return ValueTask.FromResult<IReadOnlyList<bool>>(miscount ? keep[1..] : keep);
        }
    }

    [Fact]
    public async Task StreamJobToSinksAsync_PageFilter_LeftOutPagesReachNoSinkAndBatchesComeInReadOrder()
    {
        FakeJob job = Server.AddJob(Pages(120), new FakeJobOptions { PageLimit = 25 });
        using FirecrawlJobClient client = Client(o => o.ChunkLimit = 25);
        var filter = new EveryThirdLeftOut(batchSize: 16);
        var sink = new RecordingSink();
        var store = new InMemoryCheckpointStore();

        PipelineResult result = await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [sink], new PipelineOptions { PageFilter = filter, Checkpoint = store }, Ct);

        long[] kept = [.. Enumerable.Range(0, 120).Where(i => i % 3 != 0).Select(i => (long)i)];
        Assert.Equal(Enumerable.Range(0, 120).Select(i => (long)i), filter.Offered);
        Assert.All(filter.BatchSizes, size => Assert.InRange(size, 1, 16));
        Assert.Equal(kept, sink.Batches.SelectMany(b => b).Select(p => p.Position));
        Assert.Equal(kept.Length, result.PagesRead);
        Assert.Equal(119, PositionOf((await store.LoadCheckpointAsync(Ct))!.ResumeAfter));
    }

    [Fact]
    public async Task StreamJobToSinksAsync_FilterAnswersForTooFewPages_RunFailsSayingSo()
    {
        FakeJob job = Server.AddJob(Pages(30));
        using FirecrawlJobClient client = Client(o => o.ChunkLimit = 10);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [new RecordingSink()], new PipelineOptions { PageFilter = new EveryThirdLeftOut(8, miscount: true) }, Ct));

        Assert.Contains("page filter answered for", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_FilterWithoutBatches_Refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new PipelineOptions { PageFilter = new EveryThirdLeftOut(0) }.Validate());

        Assert.Equal(nameof(PipelineOptions.PageFilter), error.ParamName);
    }
}
