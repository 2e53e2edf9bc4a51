using Npgsql;

namespace Firecrawl.Streaming.Sinks.PostgreSql;

/// <summary>
/// Full-text search over a table a <see cref="PostgresPageSink"/> wrote: <c>websearch_to_tsquery</c> (the syntax of web
/// search boxes: words, <c>"quoted phrases"</c>, <c>or</c>, <c>-excluded</c>), ranked by <c>ts_rank</c> over the
/// table's weighted <c>search</c> column and its GIN index, with <c>ts_headline</c> snippets.
/// </summary>
public sealed class PostgresPageIndex : IAsyncDisposable
{
    /// <summary>The most hits one search returns.</summary>
    public const int MaxTop = 1000;

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly string _sql;

    /// <summary>Opens an index over a connection string (<c>PG*</c> variables fill what it leaves out).</summary>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <param name="options">The sink options the table was written with (table and text-search configuration), or null for the defaults.</param>
    public PostgresPageIndex(string connectionString, PostgresPageSinkOptions? options = null)
        : this(NpgsqlDataSource.Create(PostgresConnectionString.Resolve(connectionString ?? throw new ArgumentNullException(nameof(connectionString)))), options, ownsDataSource: true)
    {
    }

    /// <summary>Opens an index over a data source the caller owns.</summary>
    /// <param name="dataSource">The data source; not disposed by the index.</param>
    /// <param name="options">The sink options the table was written with (table and text-search configuration), or null for the defaults.</param>
    public PostgresPageIndex(NpgsqlDataSource dataSource, PostgresPageSinkOptions? options = null)
        : this(dataSource ?? throw new ArgumentNullException(nameof(dataSource)), options, ownsDataSource: false)
    {
    }

    private PostgresPageIndex(NpgsqlDataSource dataSource, PostgresPageSinkOptions? options, bool ownsDataSource)
    {
        options ??= new PostgresPageSinkOptions();
        options.Validate();
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        TableName = options.TableName;
        string config = $"'{options.TextSearchConfiguration}'::regconfig";

        // Rank and limit first, then headline only the hits: ts_headline re-parses the whole text it is given.
        _sql = $"""
            SELECT hit.scrape_id, hit.url, hit.title, hit.rank, hit.status_code,
                   ts_headline({config}, left(coalesce(nullif(hit.markdown, ''), nullif(hit.description, ''), hit.title, ''), 100000), hit.q,
                               'StartSel=' || @start || ', StopSel=' || @stop || ', MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "')
            FROM (
                SELECT p.scrape_id, p.url, p.title, p.description, p.markdown, p.status_code, ts_rank(p.search, q) AS rank, q
                FROM {PostgresIdentifier.Quote(options.TableName)} p, websearch_to_tsquery({config}, @query) q
                WHERE p.search @@ q
                ORDER BY rank DESC, p.scrape_id
                LIMIT @top
            ) hit
            ORDER BY hit.rank DESC, hit.scrape_id
            """;
    }

    /// <summary>The mark before a matched term in snippets: <c>**</c>, which reads well as plain text and Markdown.</summary>
    public static string HighlightStart => "**";

    /// <summary>The mark after a matched term in snippets.</summary>
    public static string HighlightStop => "**";

    /// <summary>Gets the table searched.</summary>
    public string TableName { get; }

    /// <summary>Finds the pages that match a query, best first.</summary>
    /// <param name="query">Words as typed into a web search box, e.g. <c>postgres "binary copy" -mysql</c>.</param>
    /// <param name="top">The most hits, 1 to <see cref="MaxTop"/>.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The hits; empty when nothing matches, or the query has only stop words.</returns>
    /// <exception cref="ArgumentException">The query is empty, or <paramref name="top"/> is out of range.</exception>
    public async Task<IReadOnlyList<PostgresSearchHit>> SearchAsync(string query, int top = 10, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(top, MaxTop);
        await using NpgsqlCommand command = _dataSource.CreateCommand(_sql);
        command.Parameters.AddWithValue("query", PostgresText.Text(query)!);
        command.Parameters.AddWithValue("top", top);
        command.Parameters.AddWithValue("start", HighlightStart);
        command.Parameters.AddWithValue("stop", HighlightStop);
        var hits = new List<PostgresSearchHit>(Math.Min(top, 64));
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            hits.Add(new PostgresSearchHit(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetFloat(3),
                reader.IsDBNull(5) ? string.Empty : reader.GetString(5),
                reader.IsDBNull(4) ? null : reader.GetInt32(4)));
        }

        return hits;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _ownsDataSource ? _dataSource.DisposeAsync() : ValueTask.CompletedTask;
}
