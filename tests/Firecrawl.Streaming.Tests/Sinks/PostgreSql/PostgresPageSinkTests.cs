using System.Text;
using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Sinks.PostgreSql;
using Firecrawl.Streaming.Tests.Infrastructure;
using Npgsql;

namespace Firecrawl.Streaming.Tests.Sinks.PostgreSql;

/// <summary>
/// The sink contract over a real PostgreSQL server (a table per test in the class's database), with the checkpoint
/// kept in the same transaction as each batch for the crash-and-resume runs.
/// </summary>
public sealed partial class PostgresPageSinkTests(PostgresDatabase database) : PageSinkContractTests, IClassFixture<PostgresDatabase>, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = database.CreateDataSource();
    private readonly string _table = "pages_" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _checkpoints = "checkpoints_" + Guid.NewGuid().ToString("N")[..12];

    private PostgresPageSinkOptions Options => new() { TableName = _table, CheckpointTableName = _checkpoints };

    protected override ValueTask<IPageSink> CreateSinkAsync() => ValueTask.FromResult<IPageSink>(new PostgresPageSink(_dataSource, Options));

    protected override async Task<IReadOnlyList<string>> ReadBackKeysAsync()
    {
        if (!await TableExistsAsync(_table))
        {
            return [];
        }

        var keys = new List<string>();
        await using NpgsqlDataReader reader = await _dataSource.CreateCommand($"SELECT scrape_id FROM {_table}").ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    protected override ValueTask<ICheckpointStore> CreateCheckpointStoreAsync(string directory) =>
        ValueTask.FromResult<ICheckpointStore>(new PostgresCheckpointStore(_dataSource, ["postgres:" + _table], tableName: _checkpoints));

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private async Task<bool> TableExistsAsync(string table) =>
        (bool)(await _dataSource.CreateCommand($"SELECT to_regclass('{table}') IS NOT NULL").ExecuteScalarAsync(Ct))!;

    private async Task<T> ScalarAsync<T>(string sql) => (T)(await _dataSource.CreateCommand(sql).ExecuteScalarAsync(Ct))!;

    private async Task WriteAsync(params ScrapedPage[] pages)
    {
        await using var sink = new PostgresPageSink(_dataSource, Options);
        await sink.WriteAsync(pages, Ct);
        await sink.FlushAsync(Ct);
    }

    [Fact]
    public async Task WriteAsync_FirstWrite_CreatesTheVersionedTableWithColumnsSearchVectorAndGinIndex()
    {
        ScrapedPage page = TestPages.Create(1)[0];
        await WriteAsync(page);

        Assert.Equal("firecrawl-streaming pages v1", await ScalarAsync<string>($"SELECT obj_description('{_table}'::regclass, 'pg_class')"));
        Assert.Equal(1L, await ScalarAsync<long>($"SELECT count(*) FROM pg_indexes WHERE tablename = '{_table}' AND indexdef LIKE '%USING gin (search)%'"));
        await using NpgsqlDataReader reader = await _dataSource.CreateCommand(
            $"SELECT scrape_id, job_id, position, url, source_url, status_code, title, description, language, markdown, metadata->>'scrapeId', page->'metadata'->>'title', written_at, search::text FROM {_table}")
            .ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal(page.Key, reader.GetString(0));
        Assert.Equal("job-1", reader.GetString(1));
        Assert.Equal(0L, reader.GetInt64(2));
        Assert.Equal(page.Metadata.Url, reader.GetString(3));
        Assert.Equal(page.Metadata.SourceUrl, reader.GetString(4));
        Assert.Equal(200, reader.GetInt32(5));
        Assert.Equal(page.Metadata.Title.First, reader.GetString(6));
        Assert.Equal("Description 0", reader.GetString(7));
        Assert.Equal("en", reader.GetString(8));
        Assert.Equal(page.Markdown, reader.GetString(9));
        Assert.Equal(page.Key, reader.GetString(10));
        Assert.Equal(page.Metadata.Title.First, reader.GetString(11));
        Assert.True(DateTime.UtcNow - reader.GetDateTime(12).ToUniversalTime() < TimeSpan.FromMinutes(5));
        Assert.Contains("'descript':", reader.GetString(13), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_SamePageScrapedAgain_ReplacesItsRow()
    {
        ScrapedPage first = PageParser.Parse(TestPages.Json(7, title: "Old title"), "job-1", 7);
        ScrapedPage second = PageParser.Parse(TestPages.Json(7, title: "New title"), "job-2", 3);
        await WriteAsync(first);
        await WriteAsync(second);

        Assert.Equal(1L, await ScalarAsync<long>($"SELECT count(*) FROM {_table}"));
        Assert.Equal("New title|job-2|3", await ScalarAsync<string>($"SELECT title || '|' || job_id || '|' || position FROM {_table}"));
    }

    [Fact]
    public async Task WriteAsync_SamePageTwiceInOneBatch_StoresTheLaterOnce()
    {
        ScrapedPage early = PageParser.Parse(TestPages.Json(4, title: "Early"), "job-1", 4);
        ScrapedPage late = PageParser.Parse(TestPages.Json(4, title: "Late"), "job-1", 9);
        await WriteAsync(early, late);

        Assert.Equal("Late", await ScalarAsync<string>($"SELECT title FROM {_table}"));
    }

    [Fact]
    public async Task WriteAsync_NulBytesInTextAndJson_StoredWithTheNulsStripped()
    {
        byte[] json = Encoding.UTF8.GetBytes("""
            {"markdown":"bin\u0000ary body","metadata":{"title":"Nul\u0000Title","description":"a \\u0000 literal","scrapeId":"nul-1","url":"https://example.com/nul"},"rawHtml":"<p>\u0000</p>"}
            """);
        ScrapedPage page = PageParser.Parse(json, "job-1", 0);
        await WriteAsync(page);

        Assert.Equal("binary body", await ScalarAsync<string>($"SELECT markdown FROM {_table}"));
        Assert.Equal("NulTitle", await ScalarAsync<string>($"SELECT title FROM {_table}"));
        Assert.Equal("NulTitle", await ScalarAsync<string>($"SELECT page->'metadata'->>'title' FROM {_table}"));
        Assert.Equal("NulTitle", await ScalarAsync<string>($"SELECT metadata->>'title' FROM {_table}"));
        Assert.Equal("<p></p>", await ScalarAsync<string>($"SELECT page->>'rawHtml' FROM {_table}"));

        // An escaped backslash followed by "u0000" is text, not a NUL: it is kept.
        Assert.Equal("a \\u0000 literal", await ScalarAsync<string>($"SELECT page->'metadata'->>'description' FROM {_table}"));
    }

    [Fact]
    public async Task WriteAsync_VeryLargePage_StoredWholeAndSearchableByItsBeginning()
    {
        var markdown = new StringBuilder("zebracorn appears first. ");
        var random = new Random(5);
        while (markdown.Length < 8_000_000)
        {
            markdown.Append("word").Append(random.Next(1_000_000)).Append(' ');
        }

        ScrapedPage page = PageParser.Parse(TestPages.Json(1, markdown: markdown.ToString()), "job-1", 1);
        await WriteAsync(page);

        Assert.Equal((long)markdown.Length, await ScalarAsync<long>($"SELECT length(markdown)::bigint FROM {_table}"));
        await using var index = new PostgresPageIndex(_dataSource, Options);
        PostgresSearchHit hit = Assert.Single(await index.SearchAsync("zebracorn", cancellationToken: Ct));
        Assert.Equal(page.Key, hit.Key);
    }

    [Fact]
    public async Task WriteAsync_TableOfAnotherApplication_FailsWithASchemaErrorAndWritesNothing()
    {
        await _dataSource.CreateCommand($"CREATE TABLE {_table} (id integer PRIMARY KEY, body text)").ExecuteNonQueryAsync(Ct);

        var error = await Assert.ThrowsAsync<PostgresSchemaException>(() => WriteAsync(TestPages.Create(1)[0]));
        Assert.Equal(_table, error.TableName);
        Assert.Null(error.FoundVersion);
        Assert.Contains($"The table {_table} exists but was not created by Firecrawl.Streaming", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await ScalarAsync<long>($"SELECT count(*) FROM {_table}"));
    }

    [Fact]
    public async Task WriteAsync_TableOfANewerSchemaVersion_FailsNamingBothVersions()
    {
        await _dataSource.CreateCommand($"CREATE TABLE {_table} (scrape_id text PRIMARY KEY); COMMENT ON TABLE {_table} IS 'firecrawl-streaming pages v2'")
            .ExecuteNonQueryAsync(Ct);

        var error = await Assert.ThrowsAsync<PostgresSchemaException>(() => WriteAsync(TestPages.Create(1)[0]));
        Assert.Equal(2, error.FoundVersion);
        Assert.Equal(1, error.ExpectedVersion);
        Assert.Contains("schema version 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_TableOfOurVersionMissingAColumn_FailsNamingTheColumn()
    {
        await WriteAsync(TestPages.Create(1)[0]);
        await _dataSource.CreateCommand($"ALTER TABLE {_table} DROP COLUMN language").ExecuteNonQueryAsync(Ct);

        var error = await Assert.ThrowsAsync<PostgresSchemaException>(() => WriteAsync(TestPages.Create(2)[1]));
        Assert.Contains("language (text) is missing", error.Message, StringComparison.Ordinal);
    }
}
