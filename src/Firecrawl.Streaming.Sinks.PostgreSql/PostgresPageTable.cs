using System.Globalization;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Firecrawl.Streaming.Sinks.PostgreSql;

/// <summary>
/// The pages table, schema version 1: one row per page (<c>scrape_id</c>, the page's <see cref="ScrapedPage.Key"/>, is the
/// primary key), the fields most queries want as columns, the whole page as <c>jsonb</c>, and a generated, weighted
/// <c>tsvector</c> over title (A), description (B) and the Markdown's first 100,000 characters (C) with a GIN index.
/// </summary>
/// <remarks>
/// <para>The Markdown indexed is capped because a <c>tsvector</c> holds at most 1 MB: a very large page is stored whole
/// and searchable by its beginning, instead of failing its batch.</para>
/// <para>Where the time goes (measured on 40 MB of mixed pages): computing the <c>tsvector</c> is most of a batch
/// (PostgreSQL's text parser handles a few MB of Markdown per second); compressing the large columns with the default
/// <c>pglz</c> cost almost as much again, so they use <c>lz4</c> (PostgreSQL 14 or later, built with lz4, as Debian's
/// and the official images are), and the staging table stores them uncompressed.</para>
/// </remarks>
internal sealed class PostgresPageTable
{
    public const int Version = 1;

    /// <summary>
    /// The columns the sink copies into the staging table, in COPY order. The page goes as text: the server parses it
    /// into <c>jsonb</c> once, in the upsert, and takes <c>metadata</c> from it; <c>written_at</c> and <c>search</c> are
    /// the server's.
    /// </summary>
    private static readonly (string Name, string Type, NpgsqlDbType DbType)[] s_copied =
    [
        ("scrape_id", "text", NpgsqlDbType.Text),
        ("job_id", "text", NpgsqlDbType.Text),
        ("job_kind", "text", NpgsqlDbType.Text),
        ("position", "bigint", NpgsqlDbType.Bigint),
        ("url", "text", NpgsqlDbType.Text),
        ("source_url", "text", NpgsqlDbType.Text),
        ("status_code", "integer", NpgsqlDbType.Integer),
        ("title", "text", NpgsqlDbType.Text),
        ("description", "text", NpgsqlDbType.Text),
        ("language", "text", NpgsqlDbType.Text),
        ("markdown", "text", NpgsqlDbType.Text),
        ("page", "text", NpgsqlDbType.Text),
        ("scraped_at", "timestamp with time zone", NpgsqlDbType.TimestampTz),
    ];

    private readonly string _columnList = string.Join(", ", s_copied.Select(c => c.Name));

    /// <summary>The staged columns as the upsert selects them: the page parsed once, the metadata taken from it.</summary>
    private readonly string _selectList = string.Join(", ", s_copied.Select(c => c.Name == "page" ? "doc.page, doc.page -> 'metadata'" : $"s.{c.Name}"));

    public PostgresPageTable(string tableName, string textSearchConfiguration)
    {
        Name = tableName;
        Quoted = PostgresIdentifier.Quote(tableName);
        TextSearchConfiguration = textSearchConfiguration;
        string config = $"'{textSearchConfiguration}'::regconfig";
        string create = $"""
            CREATE TABLE {Quoted} (
                scrape_id text PRIMARY KEY,
                job_id text NOT NULL,
                job_kind text NOT NULL,
                position bigint NOT NULL,
                url text,
                source_url text,
                status_code integer,
                title text,
                description text,
                language text,
                markdown text COMPRESSION lz4,
                metadata jsonb COMPRESSION lz4,
                page jsonb COMPRESSION lz4 NOT NULL,
                scraped_at timestamp with time zone,
                written_at timestamp with time zone NOT NULL DEFAULT now(),
                search tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector({config}, coalesce(title, '')), 'A') ||
                    setweight(to_tsvector({config}, coalesce(description, '')), 'B') ||
                    setweight(to_tsvector({config}, left(coalesce(markdown, ''), 100000)), 'C')) STORED
            );
            CREATE INDEX "{PostgresIdentifier.Unqualified(tableName)}_search" ON {Quoted} USING gin (search);
            CREATE INDEX "{PostgresIdentifier.Unqualified(tableName)}_job" ON {Quoted} (job_id, position)
            """;
        Schema = new PostgresSchema(tableName, "pages", Version, create,
            [.. s_copied.Select(c => (c.Name, c.Name == "page" ? "jsonb" : c.Type)), ("metadata", "jsonb"), ("written_at", "timestamp with time zone"), ("search", "tsvector")]);

        // The staging table lives for one transaction and stores its large values uncompressed (EXTERNAL): compressing
        // them there, only to read them once, cost more than the rest of the batch. DISTINCT ON keeps one row per page
        // should a batch repeat one, which ON CONFLICT DO UPDATE could not touch twice in one statement.
        StageSql = $"CREATE TEMP TABLE fc_stage ({string.Join(", ", s_copied.Select(c => $"{c.Name} {c.Type}"))}) ON COMMIT DROP; " +
            "ALTER TABLE fc_stage ALTER markdown SET STORAGE EXTERNAL, ALTER page SET STORAGE EXTERNAL";
        CopySql = $"COPY fc_stage ({_columnList}) FROM STDIN (FORMAT BINARY)";
        UpsertSql = $"""
            INSERT INTO {Quoted} AS t ({_columnList.Replace("page", "page, metadata", StringComparison.Ordinal)})
            SELECT DISTINCT ON (s.scrape_id) {_selectList}
            FROM fc_stage s, LATERAL (SELECT s.page::jsonb AS page) doc
            ORDER BY s.scrape_id, s.position DESC
            ON CONFLICT (scrape_id) DO UPDATE SET
                {string.Join(", ", s_copied.Skip(1).Select(c => $"{c.Name} = excluded.{c.Name}"))}, metadata = excluded.metadata, written_at = now()
            """;
    }

    public string Name { get; }

    public string Quoted { get; }

    public string TextSearchConfiguration { get; }

    public PostgresSchema Schema { get; }

    public string StageSql { get; }

    public string CopySql { get; }

    public string UpsertSql { get; }

    /// <summary>Writes one page as a COPY row, NULs stripped.</summary>
    public static async Task WriteRowAsync(NpgsqlBinaryImporter importer, ScrapedPage page, CancellationToken cancellationToken)
    {
        PageMetadata metadata = page.Metadata;
        await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(PostgresText.Text(page.Key), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(PostgresText.Text(page.JobId), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(page.JobKind == JobKind.Crawl ? "crawl" : "batch", NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(page.Position, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, metadata.Url, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, metadata.SourceUrl, cancellationToken).ConfigureAwait(false);
        if (metadata.StatusCode is int status)
        {
            await importer.WriteAsync(status, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        }

        await WriteTextAsync(importer, metadata.Title.First, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, metadata.Description.First, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, metadata.Language.First, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, page.Markdown, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(PostgresText.Json(page.Utf8Json.Span), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        if (ScrapedAt(metadata) is DateTimeOffset scrapedAt)
        {
            await importer.WriteAsync(scrapedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static Task WriteTextAsync(NpgsqlBinaryImporter importer, string? value, CancellationToken cancellationToken) =>
        value is null
            ? importer.WriteNullAsync(cancellationToken)
            : importer.WriteAsync(PostgresText.Text(value), NpgsqlDbType.Text, cancellationToken);

    /// <summary>When the server says the page was fetched (<c>metadata.cachedAt</c>, sent for cached results), else null.</summary>
    private static DateTimeOffset? ScrapedAt(PageMetadata metadata) =>
        metadata.TryGetValue("cachedAt", out JsonElement value) && value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset parsed)
            ? parsed.ToUniversalTime()
            : null;
}
