using Firecrawl.Streaming.Pipeline;
using System.Globalization;
using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Sinks.Lucene;
using Firecrawl.Streaming.Tests.Infrastructure;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace Firecrawl.Streaming.Tests.Sinks.Lucene;

/// <summary>The sink contract and the sink's own behaviour, over a real index on disk in a temp directory.</summary>
public sealed class LuceneIndexSinkTests : PageSinkContractTests, IDisposable
{
    private readonly TempDirectory _temp = new();

    private string IndexPath => _temp.Combine("index");

    protected override ValueTask<IPageSink> CreateSinkAsync() => ValueTask.FromResult<IPageSink>(new LuceneIndexSink(IndexPath));

    protected override Task<IReadOnlyList<string>> ReadBackKeysAsync() =>
        Task.FromResult<IReadOnlyList<string>>(ReadStoredDocuments(IndexPath).Select(d => d.Get(LuceneFields.Key, CultureInfo.InvariantCulture)).ToList());

    public void Dispose() => _temp.Dispose();

    /// <summary>Every live document of the committed index, read straight from disk with no search API in between.</summary>
    internal static List<Document> ReadStoredDocuments(string path)
    {
        if (!System.IO.Directory.Exists(path))
        {
            return [];
        }

        using FSDirectory directory = FSDirectory.Open(path);
        if (!DirectoryReader.IndexExists(directory))
        {
            return [];
        }

        using DirectoryReader reader = DirectoryReader.Open(directory);
        IBits? live = MultiFields.GetLiveDocs(reader);
        var documents = new List<Document>(reader.NumDocs);
        for (int i = 0; i < reader.MaxDoc; i++)
        {
            if (live is null || live.Get(i))
            {
                documents.Add(reader.Document(i));
            }
        }

        return documents;
    }

    [Fact]
    public async Task WriteAsync_SamePageTwiceWithNewContent_ReplacesItsDocument()
    {
        ScrapedPage first = PageParser.Parse(TestPages.Json(1, title: "Old title", url: "https://example.com/same"), "job-1", 1);
        ScrapedPage second = PageParser.Parse(TestPages.Json(1, title: "New title", url: "https://example.com/same"), "job-1", 1);
        await using (var sink = new LuceneIndexSink(IndexPath))
        {
            await sink.WriteAsync([first], Ct);
            await sink.FlushAsync(Ct);
            await sink.WriteAsync([second], Ct);
            await sink.FlushAsync(Ct);
        }

        Document document = Assert.Single(ReadStoredDocuments(IndexPath));
        Assert.Equal("New title", document.Get(LuceneFields.Title, CultureInfo.InvariantCulture));
        Assert.Equal(second.Key, document.Get(LuceneFields.Key, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task WriteAsync_PageWithoutUrl_UpsertsByKey()
    {
        ScrapedPage page = PageParser.Parse("""{"markdown":"no address","metadata":{"title":"Orphan","scrapeId":"s-1"}}"""u8, "job-1", 3);
        await using (var sink = new LuceneIndexSink(IndexPath))
        {
            await sink.WriteAsync([page], Ct);
            await sink.WriteAsync([page], Ct);
            await sink.FlushAsync(Ct);
        }

        Document document = Assert.Single(ReadStoredDocuments(IndexPath));
        Assert.Equal("s-1", document.Get(LuceneFields.Url, CultureInfo.InvariantCulture));
        Assert.Equal("s-1", document.Get(LuceneFields.ScrapeId, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task WriteAsync_StatusCodeAndLanguage_StoredAndFilterable()
    {
        ScrapedPage ok = PageParser.Parse(TestPages.Json(1, title: "Alpha page"), "job-1", 1);
        ScrapedPage missing = PageParser.Parse(
            """{"markdown":"alpha gone","metadata":{"title":"Alpha missing","url":"https://example.com/gone","statusCode":404,"scrapeId":"s-404","language":"de"}}"""u8,
            "job-1",
            2);
        await using (var sink = new LuceneIndexSink(IndexPath))
        {
            await sink.WriteAsync([ok, missing], Ct);
            await sink.FlushAsync(Ct);
        }

        Document stored = ReadStoredDocuments(IndexPath).Single(d => d.Get(LuceneFields.Key, CultureInfo.InvariantCulture) == "s-404");
        Assert.Equal(404, stored.GetField(LuceneFields.StatusCode).GetInt32Value());
        Assert.Equal("de", stored.Get(LuceneFields.Language, CultureInfo.InvariantCulture));

        using LuceneIndex index = LuceneIndex.Open(IndexPath);
        Assert.Equal(["https://example.com/gone"], index.Search("alpha AND statusCode:[400 TO 499]").Select(h => h.Url));
        Assert.Equal([200], index.Search("alpha AND statusCode:200").Select(h => h.StatusCode));
        Assert.Equal(["https://example.com/gone"], index.Search("language:de").Select(h => h.Url));
        Assert.Equal(2, index.Search("position:[1 TO 2]").Count);
    }

    [Fact]
    public async Task WriteAsync_ConcurrentWriters_EveryPageIndexedOnce()
    {
        List<ScrapedPage> pages = TestPages.Create(400);
        await using (var sink = new LuceneIndexSink(IndexPath))
        {
            // Overlapping slices written from many threads at once: each page arrives two or three times.
            IEnumerable<Task> writers = Enumerable.Range(0, 16).Select(i => Task.Run(
                async () =>
                {
                    int start = i * 25;
                    await sink.WriteAsync(pages.Skip(start).Take(60).ToList(), Ct);
                },
                Ct));
            await Task.WhenAll(writers);
            await sink.FlushAsync(Ct);
        }

        IReadOnlyList<string> keys = await ReadBackKeysAsync();
        Assert.Equal(pages.Select(p => p.Key).Order(), keys.Order());
    }

    [Fact]
    public async Task FlushAsync_CommitsSoAnotherReaderSeesThePages()
    {
        await using var sink = new LuceneIndexSink(IndexPath);
        await sink.WriteAsync(TestPages.Create(3), Ct);
        Assert.Empty(ReadStoredDocuments(IndexPath));

        await sink.FlushAsync(Ct);

        Assert.Equal(3, ReadStoredDocuments(IndexPath).Count);
    }

    [Fact]
    public async Task Constructor_ExistingIndexWithOtherAnalyzer_ThrowsNamingIt()
    {
        await using (var sink = new LuceneIndexSink(IndexPath, new LuceneIndexSinkOptions { Analyzer = LuceneAnalyzer.English }))
        {
            await sink.WriteAsync(TestPages.Create(1), Ct);
            await sink.FlushAsync(Ct);
        }

        var error = Assert.Throws<InvalidOperationException>(() => new LuceneIndexSink(IndexPath));
        Assert.Contains("English", error.Message, StringComparison.Ordinal);

        // The failed open released everything: the right analyzer opens the index again.
        await using var reopened = new LuceneIndexSink(IndexPath, new LuceneIndexSinkOptions { Analyzer = LuceneAnalyzer.English });
        await reopened.FlushAsync(Ct);
    }

    [Fact]
    public async Task Constructor_SecondWriterOnSameDirectory_FailsWithLockError()
    {
        await using var sink = new LuceneIndexSink(IndexPath);
        Assert.Throws<LockObtainFailedException>(() => new LuceneIndexSink(IndexPath));
    }

    [Fact]
    public async Task WriteAsync_AfterDispose_ThrowsObjectDisposed()
    {
        var sink = new LuceneIndexSink(IndexPath);
        await sink.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await sink.WriteAsync(TestPages.Create(1), Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await sink.FlushAsync(Ct));
    }

    [Fact]
    public async Task DisposeAsync_WithoutFlush_CommitsWrittenPages()
    {
        await using (var sink = new LuceneIndexSink(IndexPath))
        {
            await sink.WriteAsync(TestPages.Create(4), Ct);
        }

        Assert.Equal(4, ReadStoredDocuments(IndexPath).Count);
    }

    [Fact]
    public async Task StoreMarkdownOff_MarkdownSearchableButNotStored()
    {
        ScrapedPage page = PageParser.Parse(TestPages.Json(1, markdown: "The zebra crossing is striped."), "job-1", 1);
        await using (var sink = new LuceneIndexSink(IndexPath, new LuceneIndexSinkOptions { StoreMarkdown = false }))
        {
            await sink.WriteAsync([page], Ct);
            await sink.FlushAsync(Ct);
        }

        Assert.Null(Assert.Single(ReadStoredDocuments(IndexPath)).Get(LuceneFields.Markdown, CultureInfo.InvariantCulture));
        using LuceneIndex index = LuceneIndex.Open(IndexPath);
        SearchHit hit = Assert.Single(index.Search("zebra"));
        Assert.Equal("Description 1", hit.Snippet);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2048)]
    [InlineData(double.NaN)]
    public void Options_RamBufferOutOfRange_ThrowsNamingIt(double megabytes)
    {
        var options = new LuceneIndexSinkOptions { RamBufferSizeMB = megabytes };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(nameof(LuceneIndexSinkOptions.RamBufferSizeMB), error.ParamName);
        Assert.Throws<ArgumentException>(() => new LuceneIndexSink(IndexPath, options));
    }

    [Fact]
    public void Options_UndefinedAnalyzer_Throws()
    {
        var options = new LuceneIndexSinkOptions { Analyzer = (LuceneAnalyzer)42 };
        Assert.Equal(nameof(LuceneIndexSinkOptions.Analyzer), Assert.Throws<ArgumentException>(options.Validate).ParamName);
    }

    [Fact]
    public void Options_Defaults_AreTheDocumentedOnes()
    {
        var options = new LuceneIndexSinkOptions();
        Assert.Equal(LuceneAnalyzer.Standard, options.Analyzer);
        Assert.Equal(64, options.RamBufferSizeMB);
        Assert.True(options.StoreMarkdown);
        options.Validate();
    }

    [Fact]
    public async Task Name_StartsWithLuceneAndTheDirectory()
    {
        await using var sink = new LuceneIndexSink(IndexPath);
        Assert.Equal("lucene:" + IndexPath, sink.Name);
        Assert.Equal(Path.GetFullPath(IndexPath), sink.Directory);
    }
}
