using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Sinks.JsonLines;

/// <summary>Reopening a file: pages nested deeper than 64, a zero-filled gzip tail, and pages told apart by position.</summary>
public sealed class JsonLinesRecoveryTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    private static async Task WriteAndFlushAsync(string path, IReadOnlyList<ScrapedPage> pages, Action<JsonLinesSink>? check = null)
    {
        await using var sink = new JsonLinesSink(path);
        await sink.WriteAsync(pages, Ct);
        await sink.FlushAsync(Ct);
        check?.Invoke(sink);
    }

    [Theory]
    [InlineData("pages.jsonl")]
    [InlineData("pages.jsonl.gz")]
    public async Task Open_PageNestedDeeperThan64FollowedByOtherLines_OpensAndKeepsIt(string name)
    {
        string path = _directory.Combine(name);
        ScrapedPage deep = SinkTestPages.Deep(0);
        List<ScrapedPage> rest = TestPages.Create(3, first: 1);
        await WriteAndFlushAsync(path, [deep, .. rest]);

        await WriteAndFlushAsync(path, [deep, .. rest, .. TestPages.Create(1, first: 4)], sink => Assert.Equal(4, sink.PagesSkipped));

        List<byte[]> lines = JsonLinesFile.ReadLines(path);
        Assert.Equal(5, lines.Count);
        Assert.Equal(deep.Utf8Json.ToArray(), lines[0]);
    }

    [Theory]
    [InlineData("pages.jsonl")]
    [InlineData("pages.jsonl.gz")]
    public async Task Open_PageNestedDeeperThan64AsTheLastLine_NotCutAwayNorWrittenTwice(string name)
    {
        string path = _directory.Combine(name);
        ScrapedPage first = TestPages.Create(1)[0];
        ScrapedPage deep = SinkTestPages.Deep(1);
        await WriteAndFlushAsync(path, [first, deep]);

        await WriteAndFlushAsync(path, [deep], sink =>
        {
            Assert.Equal(0, sink.BytesRecovered);
            Assert.Equal(1, sink.PagesSkipped);
        });

        Assert.Equal([first.Key, deep.Key], JsonLinesFile.ReadKeys(path));
    }

    [Fact]
    public async Task Open_GzipZeroFilledTailAfterPowerLoss_TailRemovedAndReplayWrittenOnce()
    {
        string path = _directory.Combine("pages.jsonl.gz");
        List<ScrapedPage> pages = TestPages.Create(6);
        await WriteAndFlushAsync(path, pages[..3]);
        long flushed = new FileInfo(path).Length;

        // A power cut after the file grew but before its new blocks reached the disk leaves zeros where data was.
        await using (FileStream file = new(path, FileMode.Append))
        {
            await file.WriteAsync(new byte[4096], Ct);
        }

        await WriteAndFlushAsync(path, pages, sink => Assert.Equal(4096, sink.BytesRecovered));

        Assert.Equal(pages.Select(p => p.Key), JsonLinesFile.ReadKeys(path));
        Assert.True(new FileInfo(path).Length > flushed);
    }

    [Fact]
    public async Task Open_GzipMemberWithZeroedContentFollowedByZeros_CutFromThatMember()
    {
        string path = _directory.Combine("pages.jsonl.gz");
        List<ScrapedPage> pages = TestPages.Create(8);
        await WriteAndFlushAsync(path, pages[..4]);
        long good = new FileInfo(path).Length;
        await WriteAndFlushAsync(path, pages[4..6]);

        // The last member's header survived but its data did not, and the file ends in more zeros.
        byte[] bytes = await File.ReadAllBytesAsync(path, Ct);
        Array.Clear(bytes, (int)good + 30, bytes.Length - (int)good - 30);
        await File.WriteAllBytesAsync(path, [.. bytes, .. new byte[1000]], Ct);

        await WriteAndFlushAsync(path, pages[2..], sink => Assert.Equal(bytes.Length + 1000 - good, sink.BytesRecovered));

        Assert.Equal(pages.Select(p => p.Key), JsonLinesFile.ReadKeys(path));
    }

    [Fact]
    public async Task Open_GzipFileOfOnlyZeros_TreatedAsEmpty()
    {
        string path = _directory.Combine("pages.jsonl.gz");
        await File.WriteAllBytesAsync(path, new byte[512], Ct);

        await WriteAndFlushAsync(path, TestPages.Create(2), sink => Assert.Equal(512, sink.BytesRecovered));

        Assert.Equal(2, JsonLinesFile.ReadLines(path).Count);
    }

    [Fact]
    public async Task Open_GzipDamagedMemberFollowedByGoodMembers_ThrowsInsteadOfCuttingData()
    {
        string path = _directory.Combine("pages.jsonl.gz");
        List<ScrapedPage> pages = TestPages.Create(6);
        await WriteAndFlushAsync(path, pages[..2]);
        long firstMember = new FileInfo(path).Length;
        await WriteAndFlushAsync(path, pages[2..4]);
        await WriteAndFlushAsync(path, pages[4..]);

        byte[] bytes = await File.ReadAllBytesAsync(path, Ct);
        bytes[(int)firstMember - 12] ^= 0x55;
        await File.WriteAllBytesAsync(path, bytes, Ct);

        await using var sink = new JsonLinesSink(path);
        await Assert.ThrowsAsync<InvalidDataException>(() => sink.WriteAsync(pages, Ct).AsTask());
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path, Ct));
    }

    [Theory]
    [InlineData("pages.jsonl")]
    [InlineData("pages.jsonl.gz")]
    public async Task WriteAsync_TwoPagesWithEqualBytesAndNoScrapeIdAcrossReopens_BothStoredOnce(string name)
    {
        string path = _directory.Combine(name);
        ScrapedPage third = SinkTestPages.WithoutScrapeId(3);
        ScrapedPage seventh = SinkTestPages.WithoutScrapeId(7);
        Assert.NotEqual(third.Key, seventh.Key);

        await WriteAndFlushAsync(path, [third]);
        await WriteAndFlushAsync(path, [third, seventh], sink => Assert.Equal(1, sink.PagesSkipped));
        await WriteAndFlushAsync(path, [third, seventh], sink => Assert.Equal(2, sink.PagesSkipped));

        Assert.Equal(2, JsonLinesFile.ReadLines(path).Count);
    }

    [Fact]
    public async Task WriteAsync_SamePageWithoutScrapeIdTwiceInOneRun_WrittenOnce()
    {
        string path = _directory.Combine("pages.jsonl");
        ScrapedPage page = SinkTestPages.WithoutScrapeId(3);
        await using (var sink = new JsonLinesSink(path))
        {
            await sink.WriteAsync([page], Ct);
            await sink.WriteAsync([page, SinkTestPages.WithoutScrapeId(4, text: "other")], Ct);
            await sink.FlushAsync(Ct);
            Assert.Equal(1, sink.PagesSkipped);
        }

        Assert.Equal(2, JsonLinesFile.ReadLines(path).Count);
    }
}
