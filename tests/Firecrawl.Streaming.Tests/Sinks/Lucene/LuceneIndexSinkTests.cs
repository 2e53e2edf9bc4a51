using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Sinks.Lucene;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Sinks.Lucene;

public sealed class LuceneIndexContractTests : PageSinkContractTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    private string IndexPath => _directory.Combine("index");

    protected override ValueTask<IPageSink> CreateSinkAsync() => ValueTask.FromResult<IPageSink>(new LuceneIndexSink(IndexPath));

    protected override Task<IReadOnlyList<string>> ReadBackKeysAsync()
    {
        if (!Directory.Exists(IndexPath))
        {
            return Task.FromResult<IReadOnlyList<string>>([]);
        }

        using LuceneIndex index = LuceneIndex.Open(IndexPath);
        return Task.FromResult(index.ReadAllKeys());
    }

    public void Dispose() => _directory.Dispose();
}

public sealed class LuceneIndexSinkTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string IndexPath => _directory.Combine("index");

    public void Dispose() => _directory.Dispose();

    private async Task IndexAsync(params ScrapedPage[] pages)
    {
        await using var sink = new LuceneIndexSink(IndexPath);
        await sink.WriteAsync(pages, Ct);
        await sink.FlushAsync(Ct);
    }

    private static ScrapedPage Page(int index, string title, string markdown, string? url = null, int status = 200) =>
        ScrapedPage.Parse(System.Text.Encoding.UTF8.GetBytes(
            System.Text.Json.JsonSerializer.Serialize(new
            {
                markdown,
                metadata = new { title, description = $"About {title}", url = url ?? $"https://example.com/{index}", statusCode = status, scrapeId = TestPages.ScrapeId(index) },
            })), "job", index);

    [Fact]
    public async Task Search_TermInTitleAndBody_RanksTitleMatchFirstWithHighlightedSnippet()
    {
        await IndexAsync(
            Page(1, "Cooking pasta", "Boil water. The backpressure of a kitchen is real."),
            Page(2, "Backpressure in pipelines", "Bounded channels apply backpressure to the reader."),
            Page(3, "Gardening", "Nothing relevant here at all."));

        using LuceneIndex index = LuceneIndex.Open(IndexPath);
        IReadOnlyList<SearchHit> hits = index.Search("backpressure");

        Assert.Equal(["https://example.com/2", "https://example.com/1"], hits.Select(h => h.Url));
        Assert.Equal("Backpressure in pipelines", hits[0].Title);
        Assert.True(hits[0].Score > hits[1].Score);
        Assert.Contains("**backpressure**", hits[0].Snippet, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(200, hits[0].StatusCode);
        Assert.Equal(3, index.Count);
    }

    [Fact]
    public async Task WriteAsync_SameUrlTwice_UpsertsOneDocument()
    {
        await IndexAsync(Page(1, "Old title", "old body", url: "https://example.com/same"));
        await IndexAsync(Page(2, "New title", "new body", url: "https://example.com/same"));

        using LuceneIndex index = LuceneIndex.Open(IndexPath);
        Assert.Equal(1, index.Count);
        Assert.Equal("New title", Assert.Single(index.Search("title")).Title);
        Assert.Empty(index.Search("old"));
    }

    [Fact]
    public async Task Search_UnicodeTitlesAndOddUrls_FoundAndStoredVerbatim()
    {
        List<ScrapedPage> pages = TestPages.Create(TestPages.Awkward.Length);
        await IndexAsync([.. pages]);

        using LuceneIndex index = LuceneIndex.Open(IndexPath);
        SearchHit hit = Assert.Single(index.Search("日本語"));
        Assert.Equal(TestPages.Awkward[0].Url, hit.Url);
        Assert.Equal(TestPages.Awkward[0].Title, hit.Title);
        Assert.Equal(TestPages.Awkward.Length, index.Count);
    }

    [Fact]
    public async Task Search_InvalidSyntax_ThrowsArgumentExceptionNamingTheQuery()
    {
        await IndexAsync(Page(1, "a", "b"));
        using LuceneIndex index = LuceneIndex.Open(IndexPath);

        var error = Assert.Throws<ArgumentException>(() => index.Search("title:(unclosed"));

        Assert.Contains("title:(unclosed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NoIndexThere_ThrowsDirectoryNotFound()
    {
        Assert.Throws<DirectoryNotFoundException>(() => LuceneIndex.Open(_directory.Combine("missing")));
    }

    [Fact]
    public async Task WriteAsync_ConcurrentBatches_AllIndexed()
    {
        List<ScrapedPage> pages = TestPages.Create(400);
        await using (var sink = new LuceneIndexSink(IndexPath))
        {
            await Task.WhenAll(pages.Chunk(50).Select(batch => Task.Run(async () => await sink.WriteAsync(batch, Ct), Ct)));
            await sink.FlushAsync(Ct);
        }

        using LuceneIndex index = LuceneIndex.Open(IndexPath);
        Assert.Equal(400, index.Count);
    }

    [Fact]
    public void Options_OutOfRange_Rejected()
    {
        Assert.Throws<ArgumentException>(() => new LuceneIndexSinkOptions { RamBufferSizeMB = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new LuceneIndexSinkOptions { MaxMarkdownChars = 0 }.Validate());
    }
}
