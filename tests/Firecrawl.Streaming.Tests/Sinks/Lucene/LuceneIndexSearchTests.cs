using Firecrawl.Streaming.Sinks.Lucene;
using Firecrawl.Streaming.Tests.Infrastructure;
using Lucene.Net.QueryParsers.Classic;

namespace Firecrawl.Streaming.Tests.Sinks.Lucene;

/// <summary>Searching an index the sink built: ranking, snippets, query syntax and its errors, the awkward pages.</summary>
public sealed class LuceneIndexSearchTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string IndexPath => _temp.Combine("index");

    public void Dispose() => _temp.Dispose();

    private static ScrapedPage Page(int index, string title, string markdown, string? description = null)
    {
        byte[] json = TestPages.Json(index, title, $"https://example.com/{index}", markdown);
        if (description is not null)
        {
            json = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(json)
                .Replace($"\"Description {index}\"", System.Text.Json.JsonSerializer.Serialize(description), StringComparison.Ordinal));
        }

        return PageParser.Parse(json, "job-1", index);
    }

    private async Task IndexAsync(IReadOnlyList<ScrapedPage> pages, LuceneIndexSinkOptions? options = null)
    {
        await using var sink = new LuceneIndexSink(IndexPath, options);
        await sink.WriteAsync(pages, Ct);
        await sink.FlushAsync(Ct);
    }

    [Fact]
    public async Task Search_TitleMatchAndBodyMatch_TitleRanksFirstByScore()
    {
        await IndexAsync(
        [
            Page(1, "Company history", "We mention pricing once, deep in a long paragraph about the founders and the early years."),
            Page(2, "Pricing", "Plans for every team."),
            Page(3, "Careers", "Join us."),
        ]);

        using LuceneIndex index = LuceneIndex.Open(IndexPath);
        IReadOnlyList<SearchHit> hits = index.Search("pricing");

        Assert.Equal(["https://example.com/2", "https://example.com/1"], hits.Select(h => h.Url));
        Assert.Equal(["Pricing", "Company history"], hits.Select(h => h.Title));
        Assert.True(hits[0].Score > hits[1].Score, $"Scores {hits[0].Score} and {hits[1].Score} are not in order.");
        Assert.Equal(TestPages.ScrapeId(2), hits[0].Key);
        Assert.Equal(200, hits[0].StatusCode);
    }

    [Fact]
    public async Task Search_Top_LimitsTheHits()
    {
        await IndexAsync(Enumerable.Range(0, 12).Select(i => Page(i, $"Widget {i}", "widget text")).ToList());
        using LuceneIndex index = LuceneIndex.Open(IndexPath);
        Assert.Equal(3, index.Search("widget", top: 3).Count);
        Assert.Equal(10, index.Search("widget").Count);
    }

    [Fact]
    public async Task Search_MatchInMarkdown_SnippetHighlightsTheTermOnOneLine()
    {
        await IndexAsync([Page(1, "Guide", "# Setup\n\nFirst install the tool.\n\nThen configure the crawler with a token.")]);
        using LuceneIndex index = LuceneIndex.Open(IndexPath);

        SearchHit hit = Assert.Single(index.Search("crawler"));

        Assert.Contains("**crawler**", hit.Snippet, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', hit.Snippet);
    }

    [Fact]
    public async Task Search_CustomTagsAndPrefixQuery_HighlightsExpandedTerms()
    {
        await IndexAsync([Page(1, "Tuning", "How to optimize the index, and why optimization matters.")]);
        using LuceneIndex index = LuceneIndex.Open(IndexPath, new LuceneSearchOptions { HighlightPreTag = "<em>", HighlightPostTag = "</em>" });

        SearchHit hit = Assert.Single(index.Search("optim*"));

        Assert.Contains("<em>optimize</em>", hit.Snippet, StringComparison.Ordinal);
        Assert.Contains("<em>optimization</em>", hit.Snippet, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_MatchOnlyInTitle_SnippetFromTitle()
    {
        await IndexAsync([Page(1, "Quarterly results", "Numbers.", description: "")]);
        using LuceneIndex index = LuceneIndex.Open(IndexPath);
        Assert.Equal("**Quarterly** results", Assert.Single(index.Search("quarterly")).Snippet);
    }

    [Fact]
    public async Task Search_AwkwardTitles_FoundByTitleWords()
    {
        await IndexAsync(TestPages.Create(TestPages.Awkward.Length));
        using LuceneIndex index = LuceneIndex.Open(IndexPath);

        Assert.Equal(TestPages.Awkward[0].Url, Assert.Single(index.Search("title:Ünïcödé")).Url);
        Assert.Equal(TestPages.Awkward[0].Url, index.Search("title:日本語")[0].Url);
        Assert.Equal(TestPages.Awkward[7].Url, Assert.Single(index.Search("surrogates")).Url);
        Assert.Equal(TestPages.Awkward[1].Url, Assert.Single(index.Search("passwd")).Url);
        Assert.Equal(TestPages.Awkward[3].Url, Assert.Single(index.Search("title:\"back slash\"")).Url);
        Assert.Contains("**Ünïcödé**", index.Search("ünïcödé")[0].Snippet, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_AwkwardUrls_EachFoundByExactUrl()
    {
        await IndexAsync(TestPages.Create(TestPages.Awkward.Length));
        using LuceneIndex index = LuceneIndex.Open(IndexPath);

        foreach ((string title, string url) in TestPages.Awkward)
        {
            IReadOnlyList<SearchHit> hits = index.Search($"url:\"{QueryParserBase.Escape(url)}\"");
            Assert.True(hits.Count == 1, $"{hits.Count} hits for {url}");
            SearchHit hit = hits[0];
            Assert.Equal(url, hit.Url);
            Assert.Equal(title, hit.Title);
        }
    }

    [Theory]
    [InlineData("title:(pricing")]
    [InlineData("\"unclosed phrase")]
    [InlineData("pricing AND")]
    [InlineData("*leading")]
    [InlineData("statusCode:abc")]
    [InlineData("statusCode:[200 TO x]")]
    public async Task Search_BadSyntax_ThrowsInvalidSearchQueryWithOneLineMessage(string query)
    {
        await IndexAsync([Page(1, "Pricing", "text")]);
        using LuceneIndex index = LuceneIndex.Open(IndexPath);

        var error = Assert.Throws<InvalidSearchQueryException>(() => index.Search(query));

        Assert.IsAssignableFrom<ArgumentException>(error);
        Assert.Equal(query, error.Query);
        Assert.StartsWith($"Invalid search query \"{query}\": ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain("Cannot parse", error.Reason, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(error.Reason));
    }

    [Fact]
    public async Task Search_EmptyQueryOrTopOutOfRange_ThrowsArgumentException()
    {
        await IndexAsync([Page(1, "Pricing", "text")]);
        using LuceneIndex index = LuceneIndex.Open(IndexPath);
        Assert.Throws<ArgumentException>(() => index.Search("  "));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search("pricing", top: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search("pricing", top: LuceneIndex.MaxTop + 1));
    }

    [Fact]
    public async Task Count_AfterRefresh_SeesPagesCommittedSinceOpen()
    {
        await IndexAsync(TestPages.Create(5));
        using LuceneIndex index = LuceneIndex.Open(IndexPath);
        Assert.Equal(5, index.Count);

        await using (var sink = new LuceneIndexSink(IndexPath))
        {
            await sink.WriteAsync(TestPages.Create(5, first: 5), Ct);
            await sink.FlushAsync(Ct);
            Assert.Equal(5, index.Count);

            index.Refresh();
            Assert.Equal(10, index.Count);
        }
    }

    [Fact]
    public async Task Open_IndexBuiltWithEnglishAnalyzer_SearchesWithStemming()
    {
        await IndexAsync([Page(1, "Plans", "Our pricing is simple.")], new LuceneIndexSinkOptions { Analyzer = LuceneAnalyzer.English });
        using LuceneIndex index = LuceneIndex.Open(IndexPath);

        Assert.Equal(LuceneAnalyzer.English, index.Analyzer);
        Assert.Contains("**pricing**", Assert.Single(index.Search("prices")).Snippet, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MissingDirectory_ThrowsDirectoryNotFound()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => LuceneIndex.Open(_temp.Combine("nothing-here")));
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_DirectoryWithoutIndex_ThrowsDirectoryNotFound()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => LuceneIndex.Open(_temp.Path));
        Assert.Contains("no committed Lucene index", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_AfterDispose_ThrowsObjectDisposed()
    {
        await IndexAsync([Page(1, "Pricing", "text")]);
        LuceneIndex index = LuceneIndex.Open(IndexPath);
        index.Dispose();
        index.Dispose();
        Assert.Throws<ObjectDisposedException>(() => index.Search("pricing"));
    }

    [Theory]
    [InlineData(nameof(LuceneSearchOptions.FragmentLength))]
    [InlineData(nameof(LuceneSearchOptions.MaxFragments))]
    [InlineData(nameof(LuceneSearchOptions.TitleBoost))]
    [InlineData(nameof(LuceneSearchOptions.HighlightPreTag))]
    public void SearchOptions_Invalid_ThrowsNamingTheOption(string name)
    {
        var options = new LuceneSearchOptions();
        switch (name)
        {
            case nameof(LuceneSearchOptions.FragmentLength): options.FragmentLength = 5; break;
            case nameof(LuceneSearchOptions.MaxFragments): options.MaxFragments = 0; break;
            case nameof(LuceneSearchOptions.TitleBoost): options.TitleBoost = float.NaN; break;
            default: options.HighlightPreTag = null!; break;
        }

        Assert.Equal(name, Assert.Throws<ArgumentException>(options.Validate).ParamName);
    }
}
