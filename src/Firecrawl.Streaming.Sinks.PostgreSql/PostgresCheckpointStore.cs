using Firecrawl.Streaming.Checkpoints;
using Npgsql;

namespace Firecrawl.Streaming.Sinks.PostgreSql;

/// <summary>
/// Keeps pipeline checkpoints in a PostgreSQL table shared by any number of runs and sinks: one row per job and sink
/// set (the names of the sinks a run writes to). A <see cref="PostgresPageSink"/> with
/// <see cref="PostgresPageSinkOptions.CheckpointTableName"/> writes its row in the same transaction as each batch, so its
/// pages and its checkpoint always agree; any other sink's run can use this store as it would a file.
/// </summary>
/// <remarks>
/// <para>Table (created when missing, schema version 1): <c>job_id text, sinks text, checkpoint text, position bigint,
/// updated_at timestamptz</c>, primary key <c>(job_id, sinks)</c>, where <c>sinks</c> is the sorted sink names joined by
/// line feeds.</para>
/// <para>A save never moves a row back: a checkpoint of an earlier page than the stored one is ignored, so the
/// pipeline's own save after a flush cannot undo the later point a sink's transaction already recorded.</para>
/// </remarks>
public sealed class PostgresCheckpointStore : ICheckpointStore
{
    /// <summary>The table used when no other is named.</summary>
    public const string DefaultTableName = "firecrawl_checkpoints";

    private const int Version = 1;
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _sinks;
    private readonly PostgresSchema _schema;
    private readonly string _quoted;
    private volatile bool _ensured;
    private LeaseFence? _fence;

    /// <summary>Creates a store over a table of checkpoints.</summary>
    /// <param name="dataSource">The database (the caller keeps ownership).</param>
    /// <param name="sinkNames">The <see cref="Pipeline.IPageSink.Name"/> of every sink of the runs this store checkpoints.</param>
    /// <param name="jobId">The job whose checkpoint <see cref="LoadAsync"/> reads, or null to read the latest saved for these sinks.</param>
    /// <param name="tableName">The table (<c>name</c> or <c>schema.name</c>). Default: <c>firecrawl_checkpoints</c>.</param>
    /// <exception cref="ArgumentException">No sink is named, or the table name is not a plain identifier.</exception>
    public PostgresCheckpointStore(NpgsqlDataSource dataSource, IEnumerable<string> sinkNames, string? jobId = null, string tableName = DefaultTableName)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(sinkNames);
        PostgresPageSinkOptions.Require(PostgresIdentifier.IsValid(tableName), nameof(tableName), "must be name or schema.name of letters, digits and underscores");
        string[] names = [.. sinkNames.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        PostgresPageSinkOptions.Require(names.Length > 0 && names.All(n => !string.IsNullOrWhiteSpace(n)), nameof(sinkNames), "must name at least one sink, none blank");
        _dataSource = dataSource;
        SinkNames = names;
        _sinks = string.Join('\n', names);
        JobId = jobId;
        TableName = tableName;
        _quoted = PostgresIdentifier.Quote(tableName);
        _schema = new PostgresSchema(tableName, "checkpoints", Version, $"""
            CREATE TABLE {_quoted} (
                job_id text NOT NULL,
                sinks text NOT NULL,
                checkpoint text NOT NULL,
                position bigint,
                updated_at timestamp with time zone NOT NULL DEFAULT now(),
                PRIMARY KEY (job_id, sinks)
            )
            """,
            [("job_id", "text"), ("sinks", "text"), ("checkpoint", "text"), ("position", "bigint"), ("updated_at", "timestamp with time zone")]);
    }

    /// <summary>Gets the table.</summary>
    public string TableName { get; }

    /// <summary>Gets the sink set this store's rows are keyed by, sorted.</summary>
    public IReadOnlyList<string> SinkNames { get; }

    /// <summary>Gets the job whose checkpoint is read, or null for the latest of any job.</summary>
    public string? JobId { get; }

    /// <summary>
    /// Gets the <c>job_id</c> this store's row is saved and read under instead of the job id: one share of a job read by
    /// several runs at once (see <see cref="PostgresJobStore.RangeKey"/>) keeps a checkpoint of its own. Default: null (the job id).
    /// </summary>
    public string? RowKey { get; init; }

    /// <summary>
    /// A store like this one whose saves are fenced by a lease: each save writes only while <paramref name="holder"/>
    /// holds the lease of <paramref name="key"/> in <paramref name="jobs"/>, checked in the same statement, and throws
    /// when it does not. A worker that stalled past its lease (another took the job over) can then not move the shared
    /// checkpoint under the new holder's feet.
    /// </summary>
    /// <param name="jobs">The store of the leases (its table must be in this store's database).</param>
    /// <param name="key">The leased job id, or range key (<see cref="PostgresJobStore.RangeKey"/>).</param>
    /// <param name="profile">The sinks profile.</param>
    /// <param name="holder">The lease's holder.</param>
    /// <returns>The fenced store.</returns>
    public PostgresCheckpointStore FencedBy(PostgresJobStore jobs, string key, string profile, string holder)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(profile);
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        return new PostgresCheckpointStore(_dataSource, SinkNames, JobId, TableName) { RowKey = RowKey, _fence = new LeaseFence(jobs.QuotedTableName, key, profile, holder) };
    }

    /// <inheritdoc/>
    public async ValueTask<string?> LoadAsync(CancellationToken cancellationToken = default)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await EnsureAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"SELECT checkpoint FROM {_quoted} WHERE sinks = @sinks AND (@job::text IS NULL OR job_id = @job::text) ORDER BY updated_at DESC, position DESC NULLS LAST LIMIT 1",
            connection);
        command.Parameters.AddWithValue("sinks", _sinks);
        command.Parameters.AddWithValue("job", (object?)(RowKey ?? JobId) ?? DBNull.Value);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The value is not a checkpoint.</exception>
    public async ValueTask SaveAsync(string resumeToken, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resumeToken);
        if (!PipelineCheckpoint.TryParse(resumeToken, out PipelineCheckpoint? checkpoint))
        {
            throw new ArgumentException("The value is neither a checkpoint nor a resume token.", nameof(resumeToken));
        }

        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await EnsureAsync(connection, cancellationToken).ConfigureAwait(false);
        await SaveAsync(connection, null, checkpoint, resumeToken, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates the table when missing, else checks its schema; once per store.</summary>
    internal async Task EnsureAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (_ensured)
        {
            return;
        }

        // Concurrent first calls may both check: the schema check is idempotent and serialised on the server.
        await _schema.EnsureAsync(connection, cancellationToken).ConfigureAwait(false);
        _ensured = true;
    }

    /// <summary>Upserts this sink set's row for the checkpoint's job, inside the caller's transaction when given one.</summary>
    internal async Task SaveAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, PipelineCheckpoint checkpoint, string value, CancellationToken cancellationToken)
    {
        LeaseFence? fence = _fence;
        await using var command = new NpgsqlCommand($"""
            INSERT INTO {_quoted} AS t (job_id, sinks, checkpoint, position) SELECT @job, @sinks, @checkpoint, @position
            {(fence is null ? string.Empty : $"WHERE {fence.HeldSql}")}
            ON CONFLICT (job_id, sinks) DO UPDATE SET checkpoint = excluded.checkpoint, position = excluded.position, updated_at = now()
            WHERE t.position IS NULL OR excluded.position >= t.position
            """, connection, transaction);
        fence?.AddParameters(command);
        command.Parameters.AddWithValue("job", RowKey ?? checkpoint.JobId);
        command.Parameters.AddWithValue("sinks", _sinks);
        command.Parameters.AddWithValue("checkpoint", value);
        command.Parameters.Add(new NpgsqlParameter("position", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)checkpoint.ResumeAfterPosition ?? DBNull.Value });
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0 || fence is null)
        {
            return;
        }

        // Nothing written: an earlier point than the stored one (ignored on purpose), or the lease is gone.
        await using var held = new NpgsqlCommand($"SELECT {fence.HeldSql}", connection, transaction);
        fence.AddParameters(held);
        if (await held.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
        {
            throw new InvalidOperationException($"The checkpoint was not saved: {fence.Holder} no longer holds the lease of {fence.Key} (another worker took it over).");
        }
    }

    /// <summary>The lease a fenced store's saves are conditional on.</summary>
    private sealed record LeaseFence(string JobsTable, string Key, string Profile, string Holder)
    {
        public string HeldSql => $"EXISTS (SELECT 1 FROM {JobsTable} l WHERE l.job_id = @lease_key AND l.profile = @lease_profile AND l.holder = @lease_holder AND l.state = 'running')";

        public void AddParameters(NpgsqlCommand command)
        {
            command.Parameters.AddWithValue("lease_key", Key);
            command.Parameters.AddWithValue("lease_profile", Profile);
            command.Parameters.AddWithValue("lease_holder", Holder);
        }
    }
}
