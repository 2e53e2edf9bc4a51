using Firecrawl.Streaming.Pipeline;
using Npgsql;

namespace Firecrawl.Streaming.Sinks.PostgreSql;

/// <summary>
/// Which share of a job delivered each of its pages: one row per job, sinks profile and <c>metadata.scrapeId</c>,
/// naming its owner (a range of the job, or the reconcile walk). Streams that read overlapping parts of one job claim
/// their pages here before the sinks see them, so that a page listed twice goes to the sinks once.
/// </summary>
/// <remarks>
/// <para>A claim is never taken back: a page belongs to whoever claimed it first, for good. A run that stopped after
/// claiming pages and before its sinks held them is resumed under the same owner, and its own claims are granted again,
/// so nothing claimed is lost.</para>
/// <para>Table (created when missing, schema version 1): <c>job_id text, profile text, scrape_id text, owner text,
/// claimed_at timestamptz</c>, primary key <c>(job_id, profile, scrape_id)</c>.</para>
/// </remarks>
public sealed class PostgresPageClaims
{
    /// <summary>The table used when no other is named.</summary>
    public const string DefaultTableName = "firecrawl_job_pages";

    private const int Version = 1;
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresSchema _schema;
    private readonly string _quoted;

    /// <summary>Creates a store over a table of page claims.</summary>
    /// <param name="dataSource">The database (the caller keeps ownership).</param>
    /// <param name="tableName">The table (<c>name</c> or <c>schema.name</c>). Default: <c>firecrawl_job_pages</c>.</param>
    /// <exception cref="ArgumentException">The table name is not a plain identifier.</exception>
    public PostgresPageClaims(NpgsqlDataSource dataSource, string tableName = DefaultTableName)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        PostgresPageSinkOptions.Require(PostgresIdentifier.IsValid(tableName), nameof(tableName), "must be name or schema.name of letters, digits and underscores");
        _dataSource = dataSource;
        TableName = tableName;
        _quoted = PostgresIdentifier.Quote(tableName);
        _schema = new PostgresSchema(tableName, "job-pages", Version, $"""
            CREATE TABLE {_quoted} (
                job_id text NOT NULL,
                profile text NOT NULL,
                scrape_id text NOT NULL,
                owner text NOT NULL,
                claimed_at timestamp with time zone NOT NULL DEFAULT now(),
                PRIMARY KEY (job_id, profile, scrape_id)
            )
            """,
            [("job_id", "text"), ("profile", "text"), ("scrape_id", "text"), ("owner", "text"), ("claimed_at", "timestamp with time zone")]);
    }

    /// <summary>Gets the table.</summary>
    public string TableName { get; }

    /// <summary>
    /// Claims pages for <paramref name="owner"/> in one round trip: each page nobody claimed becomes the owner's, and
    /// the answer says, per page, whether it is the owner's (claimed now or by the same owner before).
    /// </summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="profile">The sinks profile.</param>
    /// <param name="owner">The share of the job claiming them (the same after a resume).</param>
    /// <param name="scrapeIds">The pages' scrape ids.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One answer per scrape id, in order: true when the page is the owner's.</returns>
    public async Task<IReadOnlyList<bool>> ClaimAsync(string jobId, string profile, string owner, IReadOnlyList<string> scrapeIds, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentException.ThrowIfNullOrWhiteSpace(profile);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentNullException.ThrowIfNull(scrapeIds);
        if (scrapeIds.Count == 0)
        {
            return [];
        }

        await using NpgsqlConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);

        // The INSERT's rows are not visible to the outer SELECT (one snapshot): a page is the owner's when this
        // statement inserted it, or when the owner's row was there before it.
        await using var command = new NpgsqlCommand($"""
            WITH input AS (SELECT id, n FROM unnest(@ids::text[]) WITH ORDINALITY AS t(id, n)),
            inserted AS (
                INSERT INTO {_quoted} (job_id, profile, scrape_id, owner)
                SELECT DISTINCT @job, @profile, id, @owner FROM input
                ON CONFLICT DO NOTHING
                RETURNING scrape_id)
            SELECT EXISTS (SELECT 1 FROM inserted WHERE inserted.scrape_id = input.id)
                OR EXISTS (SELECT 1 FROM {_quoted} c WHERE c.job_id = @job AND c.profile = @profile AND c.scrape_id = input.id AND c.owner = @owner)
            FROM input ORDER BY n
            """, connection);
        command.Parameters.AddWithValue("ids", scrapeIds as string[] ?? [.. scrapeIds]);
        command.Parameters.AddWithValue("job", jobId);
        command.Parameters.AddWithValue("profile", profile);
        command.Parameters.AddWithValue("owner", owner);
        var mine = new List<bool>(scrapeIds.Count);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            mine.Add(reader.GetBoolean(0));
        }

        return mine;
    }

    /// <summary>Counts a job's claimed pages, by owner.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="profile">The sinks profile.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The number of pages each owner claimed.</returns>
    public async Task<IReadOnlyDictionary<string, long>> CountAsync(string jobId, string profile, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentException.ThrowIfNullOrWhiteSpace(profile);
        await using NpgsqlConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"SELECT owner, count(*) FROM {_quoted} WHERE job_id = @job AND profile = @profile GROUP BY owner", connection);
        command.Parameters.AddWithValue("job", jobId);
        command.Parameters.AddWithValue("profile", profile);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    /// <summary>
    /// A pipeline filter (<see cref="PipelineOptions.PageFilter"/>) that claims each batch of pages for
    /// <paramref name="owner"/> and keeps the owner's: one round trip per batch. A page without a scrape id cannot be
    /// claimed and is kept.
    /// </summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="profile">The sinks profile.</param>
    /// <param name="owner">The share of the job the run reads.</param>
    /// <param name="batchSize">The most pages claimed in one round trip. Default: 200.</param>
    /// <returns>The filter.</returns>
    public IPageFilter Filter(string jobId, string profile, string owner, int batchSize = 200)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentException.ThrowIfNullOrWhiteSpace(profile);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return new ClaimFilter(this, jobId, profile, owner, batchSize);
    }

    private Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => _schema.OpenAsync(_dataSource, cancellationToken);

    private sealed class ClaimFilter(PostgresPageClaims claims, string jobId, string profile, string owner, int batchSize) : IPageFilter
    {
        public int BatchSize => batchSize;

        public async ValueTask<IReadOnlyList<bool>> KeepAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken)
        {
            var ids = new List<string>(pages.Count);
            foreach (ScrapedPage page in pages)
            {
                if (page.Metadata.ScrapeId is { Length: > 0 } id)
                {
                    ids.Add(id);
                }
            }

            IReadOnlyList<bool> mine = await claims.ClaimAsync(jobId, profile, owner, ids, cancellationToken).ConfigureAwait(false);
            var keep = new bool[pages.Count];
            for (int i = 0, claimed = 0; i < pages.Count; i++)
            {
                keep[i] = pages[i].Metadata.ScrapeId is not { Length: > 0 } || mine[claimed++];
            }

            return keep;
        }
    }
}
