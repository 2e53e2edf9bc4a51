using System.IO.Compression;
using System.Text;
using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Sinks.JsonLines;

public sealed class JsonLinesSinkTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    private static async Task WriteAsync(JsonLinesSink sink, IReadOnlyList<ScrapedPage> pages, int batchSize = 10)
    {
        foreach (ScrapedPage[] batch in pages.Chunk(batchSize))
        {
            await sink.WriteAsync(batch, Ct);
        }

        await sink.FlushAsync(Ct);
    }

    [Theory]
    [InlineData("pages.jsonl")]
    [InlineData("pages.jsonl.gz")]
    public async Task WriteAsync_Pages_EachLineIsThePagesOriginalJsonByteForByte(string name)
    {
        string path = _directory.Combine(name);
        List<ScrapedPage> pages = TestPages.Create(30);
        await using (var sink = new JsonLinesSink(path))
        {
            await WriteAsync(sink, pages, batchSize: 7);
        }

        List<byte[]> lines = JsonLinesFile.ReadLines(path);
        Assert.Equal(pages.Count, lines.Count);
        for (int i = 0; i < pages.Count; i++)
        {
            Assert.True(pages[i].Utf8Json.Span.SequenceEqual(lines[i]), $"line {i} differs");
        }
    }

    [Theory]
    [InlineData("large.jsonl")]
    [InlineData("large.jsonl.gz")]
    public async Task WriteAsync_BatchFarLargerThanInitialLineBuffer_EveryLineByteForByte(string name)
    {
        // 12 pages of 10 KB to 120 KB in one batch: the batch's line buffer (64 KB at first) grows several times mid-batch.
        string path = _directory.Combine(name);
        List<ScrapedPage> pages = Enumerable.Range(0, 12)
            .Select(i => PageParser.Parse(
                Encoding.UTF8.GetBytes($$$"""{"markdown":"{{{new string((char)('a' + i), 10_000 * (i + 1))}}}","metadata":{"scrapeId":"id-{{{i}}}"}}"""), "job", i))
            .ToList();
        await using (var sink = new JsonLinesSink(path))
        {
            await WriteAsync(sink, pages, batchSize: 12);
            await WriteAsync(sink, pages, batchSize: 12);
            Assert.Equal(12, sink.PagesSkipped);
        }

        List<byte[]> lines = JsonLinesFile.ReadLines(path);
        Assert.Equal(pages.Count, lines.Count);
        for (int i = 0; i < pages.Count; i++)
        {
            Assert.True(pages[i].Utf8Json.Span.SequenceEqual(lines[i]), $"line {i} differs");
        }
    }

    [Theory]
    [InlineData("realistic.jsonl")]
    [InlineData("realistic.jsonl.gz")]
    public async Task WriteAsync_RealisticPagesAcrossReopen_RoundTripByteForByte(string name)
    {
        string path = _directory.Combine(name);
        List<ScrapedPage> pages = FakePageGenerator.Generate(60, seed: 7).Select((bytes, i) => PageParser.Parse(bytes, "job", i)).ToList();
        await using (var sink = new JsonLinesSink(path))
        {
            await WriteAsync(sink, pages[..35], batchSize: 9);
        }

        await using (var sink = new JsonLinesSink(path))
        {
            await WriteAsync(sink, pages[20..], batchSize: 9);
            Assert.Equal(15, sink.PagesSkipped);
        }

        List<byte[]> lines = JsonLinesFile.ReadLines(path);
        Assert.Equal(pages.Count, lines.Count);
        for (int i = 0; i < pages.Count; i++)
        {
            Assert.True(pages[i].Utf8Json.Span.SequenceEqual(lines[i]), $"line {i} differs");
        }
    }

    [Fact]
    public async Task WriteAsync_GzipByExtension_FileIsGzipThatAnyReaderDecompressesWhole()
    {
        string path = _directory.Combine("pages.jsonl.gz");
        await using (var sink = new JsonLinesSink(path))
        {
            await WriteAsync(sink, TestPages.Create(25), batchSize: 4);
        }

        byte[] bytes = await File.ReadAllBytesAsync(path, Ct);
        Assert.Equal([0x1f, 0x8b], bytes[..2]);
        Assert.Equal(25, JsonLinesFile.ReadLines(path).Count);
    }

    [Fact]
    public async Task WriteAsync_GzipOption_OverridesTheExtension()
    {
        string path = _directory.Combine("pages.jsonl");
        await using (var sink = new JsonLinesSink(path, new JsonLinesSinkOptions { Gzip = true }))
        {
            await WriteAsync(sink, TestPages.Create(3));
        }

        await using var file = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(file);
        Assert.Equal(3, (await reader.ReadToEndAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Open_LastLineCutByCrash_CutLineRemovedAndReplayedPagesWrittenOnce()
    {
        string path = _directory.Combine("pages.jsonl");
        List<ScrapedPage> pages = TestPages.Create(20);
        await using (var sink = new JsonLinesSink(path))
        {
            await WriteAsync(sink, pages[..12]);
        }

        // A crash in the middle of the next line: half of page 12's JSON, no line break.
        byte[] torn = pages[12].Utf8Json[..40].ToArray();
        await using (FileStream file = new(path, FileMode.Append))
        {
            await file.WriteAsync(torn, Ct);
        }

        await using (var sink = new JsonLinesSink(path))
        {
            await WriteAsync(sink, pages[8..]);
            Assert.Equal(torn.Length, sink.BytesRecovered);
            Assert.Equal(4, sink.PagesSkipped);
        }

        Assert.Equal(pages.Select(p => p.Key), JsonLinesFile.ReadKeys(path));
    }

    [Fact]
    public async Task Open_ZeroFilledTailAfterCrash_TailRemoved()
    {
        string path = _directory.Combine("pages.jsonl");
        List<ScrapedPage> pages = TestPages.Create(6);
        await using (var sink = new JsonLinesSink(path))
        {
            await WriteAsync(sink, pages[..3]);
        }

        await using (FileStream file = new(path, FileMode.Append))
        {
            await file.WriteAsync(new byte[4096], Ct);
        }

        await using (var sink = new JsonLinesSink(path))
        {
            await WriteAsync(sink, pages);
        }

        Assert.Equal(pages.Select(p => p.Key), JsonLinesFile.ReadKeys(path));
    }

    [Fact]
    public async Task Open_GzipLastMemberCutByCrash_MemberRemovedAndReplayedPagesWrittenOnce()
    {
        string path = _directory.Combine("pages.jsonl.gz");
        List<ScrapedPage> pages = TestPages.Create(30);
        long afterFirstBatches;
        await using (var sink = new JsonLinesSink(path))
        {
            await WriteAsync(sink, pages[..20]);
            afterFirstBatches = new FileInfo(path).Length;
            await sink.WriteAsync(pages[20..25], Ct);
        }

        // Cut the last member in the middle, as a crash before its flush could.
        long full = new FileInfo(path).Length;
        await using (FileStream file = new(path, FileMode.Open))
        {
            file.SetLength(afterFirstBatches + ((full - afterFirstBatches) / 2));
        }

        await using (var sink = new JsonLinesSink(path))
        {
            await WriteAsync(sink, pages[15..]);
            Assert.Equal((full - afterFirstBatches) / 2, sink.BytesRecovered);
            Assert.Equal(5, sink.PagesSkipped);
        }

        Assert.Equal(pages.Select(p => p.Key), JsonLinesFile.ReadKeys(path));
    }

    [Fact]
    public async Task Open_GzipLastMemberCorrupt_MemberRemoved()
    {
        string path = _directory.Combine("pages.jsonl.gz");
        List<ScrapedPage> pages = TestPages.Create(10);
        await using (var sink = new JsonLinesSink(path))
        {
            await WriteAsync(sink, pages[..5]);
            await WriteAsync(sink, pages[5..]);
        }

        // Flip a byte of the last member's compressed data: its checksum no longer matches.
        byte[] bytes = await File.ReadAllBytesAsync(path, Ct);
        bytes[^12] ^= 0x55;
        await File.WriteAllBytesAsync(path, bytes, Ct);

        await using (var sink = new JsonLinesSink(path))
        {
            await WriteAsync(sink, pages[5..]);
        }

        Assert.Equal(pages.Select(p => p.Key), JsonLinesFile.ReadKeys(path));
    }

    [Fact]
    public async Task Open_CorruptLineFollowedByGoodLines_ThrowsInsteadOfCuttingData()
    {
        string path = _directory.Combine("pages.jsonl");
        List<ScrapedPage> pages = TestPages.Create(2);
        await File.WriteAllTextAsync(path, "not json\n" + Encoding.UTF8.GetString(pages[0].Utf8Json.Span) + "\n", Ct);

        await using var sink = new JsonLinesSink(path);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => sink.WriteAsync(pages, Ct).AsTask());

        Assert.Contains("Overwrite", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("not json", await File.ReadAllTextAsync(path, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_GzipNotWrittenByTheSink_Throws()
    {
        string path = _directory.Combine("foreign.jsonl.gz");
        await using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            await gzip.WriteAsync(TestPages.Create(1)[0].Utf8Json, Ct);
        }

        await using var sink = new JsonLinesSink(path);
        await Assert.ThrowsAsync<InvalidDataException>(() => sink.WriteAsync(TestPages.Create(1), Ct).AsTask());
    }

    [Fact]
    public async Task Open_Overwrite_ReplacesTheFile()
    {
        string path = _directory.Combine("pages.jsonl");
        await File.WriteAllTextAsync(path, "old content that is not json\n", Ct);

        await using (var sink = new JsonLinesSink(path, new JsonLinesSinkOptions { Overwrite = true }))
        {
            await WriteAsync(sink, TestPages.Create(4));
        }

        Assert.Equal(4, JsonLinesFile.ReadKeys(path).Count);
    }

    [Fact]
    public async Task WriteAsync_PrettyPrintedJson_StaysOneValidLine()
    {
        string path = _directory.Combine("pages.jsonl");
        byte[] pretty = Encoding.UTF8.GetBytes("{\r\n  \"markdown\": \"a\\nb\",\n  \"metadata\": {\"scrapeId\": \"" + TestPages.ScrapeId(1) + "\"}\n}");
        ScrapedPage page = PageParser.Parse(pretty, "job", 0);
        await using (var sink = new JsonLinesSink(path))
        {
            await sink.WriteAsync([page], Ct);
        }

        byte[] line = Assert.Single(JsonLinesFile.ReadLines(path));
        ScrapedPage back = PageParser.Parse(line);
        Assert.Equal("a\nb", back.Markdown);
        Assert.Equal(page.Key, back.Key);
    }

    [Fact]
    public async Task WriteAsync_PagesWithoutScrapeId_ReplayedPagesRecognizedByTheirBytes()
    {
        string path = _directory.Combine("pages.jsonl");
        List<ScrapedPage> pages = Enumerable.Range(0, 6)
            .Select(i => PageParser.Parse(Encoding.UTF8.GetBytes($"{{\"markdown\":\"page {i}\"}}"), "job", i))
            .ToList();
        await using (var sink = new JsonLinesSink(path))
        {
            await WriteAsync(sink, pages[..4]);
        }

        await using (var sink = new JsonLinesSink(path))
        {
            await WriteAsync(sink, pages[2..]);
        }

        Assert.Equal(6, JsonLinesFile.ReadLines(path).Count);
    }

    [Fact]
    public async Task WriteAsync_StreamFailsMidBatchThenRetried_NoTornLineAndNoDuplicate()
    {
        var stream = new FailingStream { FailAfterBytes = 900 };
        List<ScrapedPage> pages = TestPages.Create(12);
        await using var sink = new JsonLinesSink(stream, leaveOpen: true, name: "jsonl:test");

        await Assert.ThrowsAsync<IOException>(() => sink.WriteAsync(pages[..6], Ct).AsTask());
        await sink.WriteAsync(pages[..6], Ct);
        await sink.WriteAsync(pages[3..], Ct);
        await sink.FlushAsync(Ct);

        string[] lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(pages.Select(p => p.Key), lines.Select(l => PageParser.Parse(Encoding.UTF8.GetBytes(l)).Key));
        Assert.Equal("jsonl:test", sink.Name);
    }

    [Fact]
    public async Task Constructor_DashPath_NamedForStandardOutput()
    {
        await using var sink = new JsonLinesSink("-");
        Assert.Equal("jsonl:-", sink.Name);
        Assert.Null(sink.Path);
    }

    [Fact]
    public async Task WriteAsync_ToGzipStream_ReadableAsGzip()
    {
        using var buffer = new MemoryStream();
        await using (var sink = new JsonLinesSink(buffer, new JsonLinesSinkOptions { Gzip = true }, leaveOpen: true))
        {
            await WriteAsync(sink, TestPages.Create(8), batchSize: 3);
        }

        buffer.Position = 0;
        await using var gzip = new GZipStream(buffer, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        Assert.Equal(8, (await reader.ReadToEndAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    /// <summary>A seekable memory stream whose first write stores only part of its bytes and then fails.</summary>
    private sealed class FailingStream : MemoryStream
    {
        public int FailAfterBytes { get; init; }

        private bool _failed;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_failed && buffer.Length > FailAfterBytes)
            {
                _failed = true;
                Write(buffer.Span[..FailAfterBytes]);
                throw new IOException("disk full");
            }

            return base.WriteAsync(buffer, cancellationToken);
        }
    }
}
