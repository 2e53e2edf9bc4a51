using Firecrawl.Streaming.Pipeline;
using Azure.Storage.Blobs;
using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Sinks.AzureBlobs;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Sinks.AzureBlobs;

/// <summary>The sink contract and the JSON Lines batch layout, against Azurite; each test has its own container.</summary>
/// <remarks>
/// Small ranges (7 pages per blob) so that the contract's replays, which start mid-range with other batch sizes,
/// exercise the merge of a stored blob on every run.
/// </remarks>
[Collection(AzuriteGroup.Name)]
public sealed class AzureBlobJsonLinesSinkTests(AzuriteFixture azurite) : PageSinkContractTests, IAsyncDisposable
{
    private const int PagesPerBlob = 7;

    private readonly BlobContainerClient _container = azurite.NewContainer("jsonl");

    private static AzureBlobSinkOptions Options(int pagesPerBlob = PagesPerBlob) =>
        new() { Mode = AzureBlobSinkMode.JsonLinesBatches, PagesPerBlob = pagesPerBlob, Prefix = "batches/" };

    protected override ValueTask<IPageSink> CreateSinkAsync() => ValueTask.FromResult<IPageSink>(new AzureBlobSink(_container, Options()));

    protected override async Task<IReadOnlyList<string>> ReadBackKeysAsync() =>
        (await BlobStore.ReadLinesAsync(_container, Ct)).Select(line => PageParser.Parse(line).Key).ToList();

    public async ValueTask DisposeAsync() => await _container.DeleteIfExistsAsync();

    [Fact]
    public async Task WriteAsync_PagesOverSeveralRanges_BlobsNamedByRangeWithLinesInOrder()
    {
        List<ScrapedPage> pages = TestPages.Create(17);
        await using (IPageSink sink = await CreateSinkAsync())
        {
            // Batches that straddle the range boundaries, and arrive out of order as parallel writes may.
            await sink.WriteAsync(pages[10..17], Ct);
            await sink.WriteAsync(pages[0..10], Ct);
            await sink.FlushAsync(Ct);
        }

        var blobs = await BlobStore.ReadAllAsync(_container, Ct);
        Assert.Equal(
            ["batches/job-1/pages-000000000000-000000000006.jsonl", "batches/job-1/pages-000000000007-000000000013.jsonl", "batches/job-1/pages-000000000014-000000000020.jsonl"],
            blobs.Select(b => b.Name).Order(StringComparer.Ordinal));
        Assert.All(blobs, b => Assert.Equal("application/x-ndjson", b.Properties.ContentType));
        Assert.Equal(pages.Select(p => p.Utf8Json.ToArray()), await BlobStore.ReadLinesAsync(_container, Ct));
        Assert.Equal(AzureBlobNames.ForBatch("job-1", 15, PagesPerBlob, "batches/"), blobs.Select(b => b.Name).Max(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WriteAsync_RestartMidRangeWithOtherBatches_KeepsStoredPagesAndHoldsEachOnceInOrder()
    {
        List<ScrapedPage> pages = TestPages.Create(30);
        await using (IPageSink sink = await CreateSinkAsync())
        {
            for (int i = 0; i < 18; i += 5)
            {
                await sink.WriteAsync(pages[i..Math.Min(i + 5, 18)], Ct);
            }

            await sink.FlushAsync(Ct);

            // Written but never flushed: lost in the "crash", or not — the replay must cope either way.
            await sink.WriteAsync(pages[18..23], Ct);
        }

        // The checkpoint was at 12: positions 7..11 are stored only in the blob of range 7..13, which this sink never saw.
        await using (IPageSink sink = await CreateSinkAsync())
        {
            for (int i = 12; i < 30; i += 4)
            {
                await sink.WriteAsync(pages[i..Math.Min(i + 4, 30)], Ct);
            }

            await sink.FlushAsync(Ct);
        }

        Assert.Equal(pages.Select(p => p.Utf8Json.ToArray()), await BlobStore.ReadLinesAsync(_container, Ct));
    }

    [Fact]
    public async Task WriteAsync_CompletedRangeWrittenAgain_MergesInsteadOfDuplicating()
    {
        List<ScrapedPage> pages = TestPages.Create(21);
        await using (IPageSink sink = await CreateSinkAsync())
        {
            await sink.WriteAsync(pages, Ct);
            await sink.FlushAsync(Ct);

            // The pipeline writes a failed batch again whole; its ranges were complete, uploaded and dropped from memory.
            await sink.WriteAsync(pages[5..9], Ct);
            await sink.FlushAsync(Ct);
        }

        Assert.Equal(pages.Select(p => p.Utf8Json.ToArray()), await BlobStore.ReadLinesAsync(_container, Ct));
    }

    [Fact]
    public async Task WriteAsync_ReplayedPageWithNewBytes_ReplacesItsLine()
    {
        List<ScrapedPage> pages = TestPages.Create(5);
        await using (IPageSink sink = await CreateSinkAsync())
        {
            await sink.WriteAsync(pages, Ct);
            await sink.FlushAsync(Ct);
        }

        ScrapedPage changed = PageParser.Parse(TestPages.Json(2, title: "Changed"), "job-1", 2);
        await using (IPageSink sink = await CreateSinkAsync())
        {
            await sink.WriteAsync([changed], Ct);
            await sink.FlushAsync(Ct);
        }

        List<byte[]> lines = await BlobStore.ReadLinesAsync(_container, Ct);
        Assert.Equal(5, lines.Count);
        Assert.Equal(changed.Utf8Json.ToArray(), lines[2]);
    }

    [Fact]
    public async Task WriteAsync_TwoJobs_EachInItsOwnFolder()
    {
        await using (IPageSink sink = await CreateSinkAsync())
        {
            await sink.WriteAsync([.. TestPages.Create(3, jobId: "job-a"), .. TestPages.Create(3, jobId: "job/b")], Ct);
            await sink.FlushAsync(Ct);
        }

        var names = (await BlobStore.ReadAllAsync(_container, Ct)).Select(b => b.Name).ToList();
        string other = AzureBlobNames.ForBatch("job/b", 0, PagesPerBlob, "batches/");
        Assert.Equal(new[] { "batches/job-a/pages-000000000000-000000000006.jsonl", other }.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        Assert.Matches("^batches/job-[0-9a-f]{16}/pages-000000000000-000000000006\\.jsonl$", other);
        Assert.Equal(6, (await ReadBackKeysAsync()).Count);
    }

    [Fact]
    public async Task WriteAsync_JobStartedWithOtherPagesPerBlob_ThrowsNamingTheOption()
    {
        await using (IPageSink sink = await CreateSinkAsync())
        {
            await sink.WriteAsync(TestPages.Create(10), Ct);
            await sink.FlushAsync(Ct);
        }

        await using var other = new AzureBlobSink(_container, Options(pagesPerBlob: 10));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await other.WriteAsync(TestPages.Create(3, first: 10), Ct));
        Assert.Contains(nameof(AzureBlobSinkOptions.PagesPerBlob), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_PrettyPrintedPage_StaysOneLine()
    {
        ScrapedPage page = PageParser.Parse("{\n  \"markdown\": \"a\",\n  \"metadata\": {\"scrapeId\": \"s-1\"}\r\n}"u8, "job-1", 0);
        await using (IPageSink sink = await CreateSinkAsync())
        {
            await sink.WriteAsync([page], Ct);
            await sink.FlushAsync(Ct);
        }

        byte[] line = Assert.Single(await BlobStore.ReadLinesAsync(_container, Ct));
        Assert.Equal("s-1", PageParser.Parse(line).Key);
    }

    [Fact]
    public async Task WriteAsync_ResumedWithPositionsShiftedAcrossARangeBoundary_EachPageOnce()
    {
        List<ScrapedPage> pages = TestPages.Create(14);
        await using (IPageSink sink = await CreateSinkAsync())
        {
            await sink.WriteAsync(pages, Ct);
            await sink.FlushAsync(Ct);
        }

        // The resumed run gets pages 5.. one position later: page 6 now falls in range 7..13, page 13 in 14..20.
        List<ScrapedPage> shifted = Enumerable.Range(5, 11).Select(i => PageParser.Parse(TestPages.Json(i), "job-1", i + 1)).ToList();
        await using (IPageSink sink = await CreateSinkAsync())
        {
            await sink.WriteAsync(shifted[..4], Ct);
            await sink.WriteAsync(shifted[4..], Ct);
            await sink.FlushAsync(Ct);
        }

        IReadOnlyList<string> keys = await ReadBackKeysAsync();
        Assert.Equal(Enumerable.Range(0, 16).Select(TestPages.ScrapeId).Order(), keys.Order());
    }

    [Fact]
    public async Task WriteAsync_BlobHoldsAPageNestedDeeperThan64_MergedAndKept()
    {
        ScrapedPage deep = SinkTestPages.Deep(0);
        await using (IPageSink sink = await CreateSinkAsync())
        {
            await sink.WriteAsync([deep], Ct);
            await sink.FlushAsync(Ct);
        }

        await using (IPageSink sink = await CreateSinkAsync())
        {
            await sink.WriteAsync(TestPages.Create(3, first: 1), Ct);
            await sink.FlushAsync(Ct);
        }

        List<byte[]> lines = await BlobStore.ReadLinesAsync(_container, Ct);
        Assert.Equal(4, lines.Count);
        Assert.Equal(deep.Utf8Json.ToArray(), lines[0]);
    }
}
