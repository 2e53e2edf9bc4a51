using Npgsql;

namespace Firecrawl.Streaming.Sinks.PostgreSql;

/// <summary>
/// The shared state of jobs streamed by many workers: for each job and sinks profile, whether it is pending, running,
/// completed or failed, which worker holds its lease until when, and its coverage counters once it ends. Checkpoints
/// live beside it in a <see cref="PostgresCheckpointStore"/> (one row per job and sink set), so any worker resumes
/// where another stopped.
/// </summary>
/// <remarks>
/// <para><b>Leases.</b> A worker streams a job only while it holds the job's lease (<see cref="TryAcquireAsync"/>), and
/// renews it well before it expires (<see cref="RenewAsync"/>); a renewal that fails means another worker took the job
/// over, and the run must stop. A worker that dies stops renewing: once its lease has expired, the next
/// <see cref="TryAcquireAsync"/> takes the job over. Expiry is measured by the database's clock alone, so the workers'
/// clocks may differ.</para>
/// <para><b>Idempotence.</b> A completed or failed job is never leased again: a duplicate or redelivered job message
/// finds it ended and is acknowledged without streaming anything. Nor is a split one: its ranges are rows of their own
/// (<see cref="RangeKey"/>), leased like jobs.</para>
/// <para>Table (created when missing, schema version 1), primary key <c>(job_id, profile)</c>: <c>kind, state, holder,
/// lease_expires_at, heartbeat_at, attempts, delivered, expected, unaccounted, reason, updated_at</c>.</para>
/// </remarks>
public sealed partial class PostgresJobStore
{
    /// <summary>The table used when no other is named.</summary>
    public const string DefaultTableName = "firecrawl_jobs";

    private const int Version = 1;
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresSchema _schema;
    private readonly string _quoted;

    /// <summary>Creates a store over a table of jobs.</summary>
    /// <param name="dataSource">The database (the caller keeps ownership).</param>
    /// <param name="tableName">The table (<c>name</c> or <c>schema.name</c>). Default: <c>firecrawl_jobs</c>.</param>
    /// <exception cref="ArgumentException">The table name is not a plain identifier.</exception>
    public PostgresJobStore(NpgsqlDataSource dataSource, string tableName = DefaultTableName)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        PostgresPageSinkOptions.Require(PostgresIdentifier.IsValid(tableName), nameof(tableName), "must be name or schema.name of letters, digits and underscores");
        _dataSource = dataSource;
        TableName = tableName;
        _quoted = PostgresIdentifier.Quote(tableName);
        _schema = new PostgresSchema(tableName, "jobs", Version, $"""
            CREATE TABLE {_quoted} (
                job_id text NOT NULL,
                profile text NOT NULL,
                kind text NOT NULL,
                state text NOT NULL,
                holder text,
                lease_expires_at timestamp with time zone,
                heartbeat_at timestamp with time zone,
                attempts integer NOT NULL DEFAULT 0,
                delivered bigint,
                expected bigint,
                unaccounted bigint,
                reason text,
                updated_at timestamp with time zone NOT NULL DEFAULT now(),
                PRIMARY KEY (job_id, profile)
            )
            """,
            [("job_id", "text"), ("profile", "text"), ("kind", "text"), ("state", "text"), ("holder", "text"),
             ("lease_expires_at", "timestamp with time zone"), ("heartbeat_at", "timestamp with time zone"), ("attempts", "integer"),
             ("delivered", "bigint"), ("expected", "bigint"), ("unaccounted", "bigint"), ("reason", "text"), ("updated_at", "timestamp with time zone")]);
    }

    /// <summary>Gets the table.</summary>
    public string TableName { get; }

    /// <summary>Gets the table's name quoted for SQL text.</summary>
    internal string QuotedTableName => _quoted;

    /// <summary>
    /// Takes the job's lease for <paramref name="holder"/> unless the job has ended or another worker holds a lease
    /// that has not expired. Holding it already renews it.
    /// </summary>
    /// <param name="kind">The kind of job (recorded with it).</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="profile">The sinks profile.</param>
    /// <param name="holder">Who takes the lease: a name unique to this worker and run.</param>
    /// <param name="duration">How long the lease lasts unless renewed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The lease, or the state that prevents it.</returns>
    public async Task<PostgresJobLease> TryAcquireAsync(JobKind kind, string jobId, string profile, string holder, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        Check(jobId, profile, holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        await using NpgsqlConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (NpgsqlCommand insert = Command(connection, transaction, $"""
            INSERT INTO {_quoted} (job_id, profile, kind, state) VALUES (@job, @profile, @kind, 'pending') ON CONFLICT DO NOTHING
            """, jobId, profile))
        {
            insert.Parameters.AddWithValue("kind", JobKindName(kind));
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // The row is locked until commit: two workers asking at once are answered one after the other.
        string state;
        string? current;
        bool expired;
        DateTimeOffset? expiresAt;
        int attempts;
        string? reason;
        await using (NpgsqlCommand select = Command(connection, transaction, $"""
            SELECT state, holder, lease_expires_at IS NULL OR lease_expires_at < now(), lease_expires_at, attempts, reason
            FROM {_quoted} WHERE job_id = @job AND profile = @profile FOR UPDATE
            """, jobId, profile))
        await using (NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            state = reader.GetString(0);
            current = reader.IsDBNull(1) ? null : reader.GetString(1);
            expired = reader.GetBoolean(2);
            expiresAt = reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3);
            attempts = reader.GetInt32(4);
            reason = reader.IsDBNull(5) ? null : reader.GetString(5);
        }

        PostgresJobState parsed = ParseState(state);
        if (parsed is PostgresJobState.Completed or PostgresJobState.Failed or PostgresJobState.Split)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new PostgresJobLease(false, parsed, null, null, null, attempts, reason);
        }

        bool mine = string.Equals(current, holder, StringComparison.Ordinal);
        if (current is not null && !mine && !expired)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new PostgresJobLease(false, parsed, current, expiresAt, null, attempts, null);
        }

        await using (NpgsqlCommand update = Command(connection, transaction, $"""
            UPDATE {_quoted} SET state = 'running', holder = @holder, lease_expires_at = now() + @duration, heartbeat_at = now(),
                attempts = attempts + (CASE WHEN @renewal THEN 0 ELSE 1 END), updated_at = now()
            WHERE job_id = @job AND profile = @profile
            RETURNING lease_expires_at, attempts
            """, jobId, profile))
        {
            update.Parameters.AddWithValue("holder", holder);
            update.Parameters.AddWithValue("duration", duration);
            update.Parameters.AddWithValue("renewal", mine && parsed == PostgresJobState.Running);
            await using NpgsqlDataReader reader = await update.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            expiresAt = reader.GetFieldValue<DateTimeOffset>(0);
            attempts = reader.GetInt32(1);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new PostgresJobLease(true, PostgresJobState.Running, holder, expiresAt, current is not null && !mine ? current : null, attempts, null);
    }

    /// <summary>Extends the lease <paramref name="holder"/> holds; false when it holds it no more (it expired and another worker took it).</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="profile">The sinks profile.</param>
    /// <param name="holder">The lease's holder.</param>
    /// <param name="duration">How long the lease lasts from now.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the lease is still the holder's.</returns>
    public async Task<bool> RenewAsync(string jobId, string profile, string holder, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        Check(jobId, profile, holder);
        await using NpgsqlConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Command(connection, null, $"""
            UPDATE {_quoted} SET lease_expires_at = now() + @duration, heartbeat_at = now(), updated_at = now()
            WHERE job_id = @job AND profile = @profile AND holder = @holder AND state = 'running'
            """, jobId, profile);
        command.Parameters.AddWithValue("holder", holder);
        command.Parameters.AddWithValue("duration", duration);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Records that the job completed with its coverage, and ends the lease; false when <paramref name="holder"/> no longer held it.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="profile">The sinks profile.</param>
    /// <param name="holder">The lease's holder.</param>
    /// <param name="coverage">The job's coverage report.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the record was written.</returns>
    public Task<bool> CompleteAsync(string jobId, string profile, string holder, JobCoverage coverage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(coverage);
        return EndAsync(jobId, profile, holder, PostgresJobState.Completed, coverage, null, cancellationToken);
    }

    /// <summary>Records that the job failed for good, why, and its coverage when known, and ends the lease; false when <paramref name="holder"/> no longer held it.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="profile">The sinks profile.</param>
    /// <param name="holder">The lease's holder.</param>
    /// <param name="reason">Why, in one sentence.</param>
    /// <param name="coverage">The job's coverage report, or null when the job could not be read.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the record was written.</returns>
    public Task<bool> FailAsync(string jobId, string profile, string holder, string reason, JobCoverage? coverage, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return EndAsync(jobId, profile, holder, PostgresJobState.Failed, coverage, reason, cancellationToken);
    }

    /// <summary>Gives the lease back without ending the job (a shutdown, a failure worth retrying): another worker may take it at once.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="profile">The sinks profile.</param>
    /// <param name="holder">The lease's holder.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether <paramref name="holder"/> held it.</returns>
    public async Task<bool> ReleaseAsync(string jobId, string profile, string holder, CancellationToken cancellationToken = default)
    {
        Check(jobId, profile, holder);
        await using NpgsqlConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Command(connection, null, $"""
            UPDATE {_quoted} SET state = 'pending', holder = NULL, lease_expires_at = NULL, updated_at = now()
            WHERE job_id = @job AND profile = @profile AND holder = @holder AND state = 'running'
            """, jobId, profile);
        command.Parameters.AddWithValue("holder", holder);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }
}
