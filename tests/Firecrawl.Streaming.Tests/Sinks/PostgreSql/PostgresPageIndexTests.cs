using Firecrawl.Streaming.Sinks.PostgreSql;
using Firecrawl.Streaming.Tests.Infrastructure;
using Npgsql;

namespace Firecrawl.Streaming.Tests.Sinks.PostgreSql;

/// <summary>Full-text search over a table the sink wrote, on a real server.</summary>
public sealed class PostgresPageIndexTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = database.CreateDataSource();
    private readonly PostgresPageSinkOptions _options = new() { TableName = "search_" + Guid.NewGuid().ToString("N")[..12] };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private async Task<PostgresPageIndex> IndexAsync(params (string Title, string Markdown)[] pages)
    {
        await using (var sink = new PostgresPageSink(_dataSource, _options))
        {
            await sink.WriteAsync([.. pages.Select((p, i) => PageParser.Parse(TestPages.Json(i, p.Title, markdown: p.Markdown), "job-1", i))], Ct);
        }

        return new PostgresPageIndex(_dataSource, _options);
    }

    [Fact]
    public async Task SearchAsync_WordInTitleAndInBody_TitleMatchRanksFirstWithHighlightedSnippet()
    {
        await using PostgresPageIndex index = await IndexAsync(
            ("Gardening notes", "Tomatoes need sun. Pipelines are mentioned once here."),
            ("Pipelines explained", "How a streaming pipeline moves pages into sinks."),
            ("Cooking", "Nothing relevant at all."));

        IReadOnlyList<PostgresSearchHit> hits = await index.SearchAsync("pipelines", cancellationToken: Ct);

        Assert.Equal(["Pipelines explained", "Gardening notes"], hits.Select(h => h.Title));
        Assert.True(hits[0].Rank > hits[1].Rank);
        Assert.Contains("**pipeline**", hits[0].Snippet, StringComparison.Ordinal);
        Assert.Equal("https://example.com/page/1", hits[0].Url);
        Assert.Equal(200, hits[0].StatusCode);
    }

    [Fact]
    public async Task SearchAsync_WebSearchSyntax_PhrasesAndExclusionsApply()
    {
        await using PostgresPageIndex index = await IndexAsync(
            ("One", "binary copy into a staging table"),
            ("Two", "copy the binary files, then a staging area"),
            ("Three", "binary copy with mysql"));

        Assert.Equal(["One", "Three"], (await index.SearchAsync("\"binary copy\"", cancellationToken: Ct)).Select(h => h.Title).Order());
        Assert.Equal(["One"], (await index.SearchAsync("\"binary copy\" -mysql", cancellationToken: Ct)).Select(h => h.Title));
        Assert.Single(await index.SearchAsync("staging OR nothing", top: 1, cancellationToken: Ct));
        Assert.Empty(await index.SearchAsync("the", cancellationToken: Ct));
    }
}
