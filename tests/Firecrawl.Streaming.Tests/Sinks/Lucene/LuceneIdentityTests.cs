using System.Globalization;
using System.Text;
using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Sinks.Lucene;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Lucene.Net.Documents;

namespace Firecrawl.Streaming.Tests.Sinks.Lucene;

/// <summary>Documents keyed by page identity, not URL; exact-term values too long for one Lucene term.</summary>
public sealed class LuceneIdentityTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string IndexPath => _temp.Combine("index");

    public void Dispose() => _temp.Dispose();

    private async Task IndexAsync(params ScrapedPage[] pages)
    {
        await using var sink = new LuceneIndexSink(IndexPath);
        await sink.WriteAsync(pages, Ct);
        await sink.FlushAsync(Ct);
    }

    private static ScrapedPage WithMetadata(int index, string url, string language) => PageParser.Parse(
        Encoding.UTF8.GetBytes($$$"""{"markdown":"zebra {{{index}}}","metadata":{"title":"Page {{{index}}}","url":"{{{url}}}","language":"{{{language}}}","scrapeId":"{{{TestPages.ScrapeId(index)}}}"}}"""),
        "job-1",
        index);

    [Fact]
    public async Task WriteAsync_TwoPagesWithTheSameFinalUrl_BothIndexedAndBothFoundByUrl()
    {
        ScrapedPage first = SinkTestPages.AtUrl(1, "https://example.com/landing", "First");
        ScrapedPage redirected = SinkTestPages.AtUrl(2, "https://example.com/landing", "Second");

        await IndexAsync(first, redirected);

        Assert.Equal(
            new[] { first.Key, redirected.Key }.Order(),
            LuceneIndexSinkTests.ReadStoredDocuments(IndexPath).Select(d => d.Get(LuceneFields.Key, CultureInfo.InvariantCulture)).Order());
        using LuceneIndex index = LuceneIndex.Open(IndexPath);
        Assert.Equal(["First", "Second"], index.Search("url:\"https://example.com/landing\"").Select(h => h.Title).Order());
    }

    [Fact]
    public async Task WriteAsync_40KBLanguage_IndexedStoredWholeAndFoundByIt()
    {
        string language = new('x', 40 * 1024);
        ScrapedPage poison = WithMetadata(1, "https://example.com/big-lang", language);

        await IndexAsync(poison, WithMetadata(2, "https://example.com/ok", "en"));

        Document stored = LuceneIndexSinkTests.ReadStoredDocuments(IndexPath).Single(d => d.Get(LuceneFields.Key, CultureInfo.InvariantCulture) == poison.Key);
        Assert.Equal(language, stored.Get(LuceneFields.Language, CultureInfo.InvariantCulture));
        using LuceneIndex index = LuceneIndex.Open(IndexPath);
        Assert.Equal(["https://example.com/big-lang"], index.Search($"language:{language}").Select(h => h.Url));
        Assert.Equal(["https://example.com/ok"], index.Search("language:en").Select(h => h.Url));
    }

    [Fact]
    public async Task WriteAsync_UrlLongerThanTheTermLimit_ExactUrlQueryFindsItAndPrefixesStayApart()
    {
        string common = "https://example.com/" + new string('a', 40_000);
        ScrapedPage one = SinkTestPages.AtUrl(1, common + "/one");
        ScrapedPage two = SinkTestPages.AtUrl(2, common + "/two");

        await IndexAsync(one, two);

        using LuceneIndex index = LuceneIndex.Open(IndexPath);
        SearchHit hit = Assert.Single(index.Search($"url:\"{common}/two\""));
        Assert.Equal(two.Key, hit.Key);
        Assert.Equal(common + "/two", hit.Url);
    }

    [Fact]
    public void ExactTerm_LongValue_FitsTheLimitKeepsWholeCharactersAndDiffersPerValue()
    {
        string emoji = string.Concat(Enumerable.Repeat("😀", 1000));

        string term = LuceneFields.ExactTerm(emoji);

        Assert.True(Encoding.UTF8.GetByteCount(term) <= LuceneFields.MaxExactTermBytes);
        Assert.Matches("^(😀)+#[0-9a-f]{16}$", term);
        Assert.NotEqual(term, LuceneFields.ExactTerm(emoji + "😀"));
        Assert.Same("short", LuceneFields.ExactTerm("short"));
    }

    [Fact]
    public async Task StreamJobToSinksAsync_PageWithAHugeLanguage_RunCompletesAndARerunReadsNothing()
    {
        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);
        FakeJob job = server.AddJob(Enumerable.Range(0, 12).Select(i => i == 5
            ? WithMetadata(5, "https://example.com/5", new string('y', 40 * 1024)).Utf8Json.ToArray()
            : TestPages.Json(i)));
        using var client = new FirecrawlJobClient(server.CreateClientOptions());
        var options = new PipelineOptions { Checkpoint = new InMemoryCheckpointStore(), SinkDefaults = { MaxRetries = 0 } };

        PipelineResult first = await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [new LuceneIndexSink(IndexPath)], options, Ct);
        PipelineResult again = await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [new LuceneIndexSink(IndexPath)], options, Ct);

        Assert.Equal(12, first.PagesRead);
        Assert.Equal(0, again.PagesRead);
        Assert.Equal(12, LuceneIndexSinkTests.ReadStoredDocuments(IndexPath).Count);
    }
}
