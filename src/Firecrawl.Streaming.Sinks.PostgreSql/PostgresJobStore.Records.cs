using Npgsql;

namespace Firecrawl.Streaming.Sinks.PostgreSql;

/// <summary>Reading the jobs' rows, and the helpers every statement shares.</summary>
public sealed partial class PostgresJobStore
{
    /// <summary>Reads one job's row.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="profile">The sinks profile.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The row, or null when the job was never leased.</returns>
    public async Task<PostgresJobRecord?> GetAsync(string jobId, string profile, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<PostgresJobRecord> rows = await ReadAsync(jobId, profile, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>Reads every job's row, ordered by profile and job id.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rows.</returns>
    public Task<IReadOnlyList<PostgresJobRecord>> ListAsync(CancellationToken cancellationToken = default) => ReadAsync(null, null, cancellationToken);

    private async Task<IReadOnlyList<PostgresJobRecord>> ReadAsync(string? jobId, string? profile, CancellationToken cancellationToken, string? prefix = null)
    {
        await using NpgsqlConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"""
            SELECT kind, job_id, profile, state, holder, attempts, delivered, expected, unaccounted, reason FROM {_quoted}
            WHERE (@job::text IS NULL OR job_id = @job::text) AND (@profile::text IS NULL OR profile = @profile::text)
                AND (@prefix::text IS NULL OR starts_with(job_id, @prefix::text))
            ORDER BY profile, job_id
            """, connection);
        command.Parameters.AddWithValue("job", (object?)jobId ?? DBNull.Value);
        command.Parameters.AddWithValue("profile", (object?)profile ?? DBNull.Value);
        command.Parameters.AddWithValue("prefix", (object?)prefix ?? DBNull.Value);
        var rows = new List<PostgresJobRecord>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new PostgresJobRecord(
                reader.GetString(0) == "crawl" ? JobKind.Crawl : JobKind.BatchScrape,
                reader.GetString(1),
                reader.GetString(2),
                ParseState(reader.GetString(3)),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetInt32(5),
                reader.IsDBNull(6) ? null : reader.GetInt64(6),
                reader.IsDBNull(7) ? null : reader.GetInt64(7),
                reader.IsDBNull(8) ? null : reader.GetInt64(8),
                reader.IsDBNull(9) ? null : reader.GetString(9)) { Range = ParseRange(reader.GetString(1)) });
        }

        return rows;
    }

    private async Task<bool> EndAsync(string jobId, string profile, string holder, PostgresJobState state, JobCoverage? coverage, string? reason, CancellationToken cancellationToken)
    {
        Check(jobId, profile, holder);
        await using NpgsqlConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Command(connection, null, $"""
            UPDATE {_quoted} SET state = @state, holder = NULL, lease_expires_at = NULL, delivered = @delivered, expected = @expected,
                unaccounted = @unaccounted, reason = @reason, updated_at = now()
            WHERE job_id = @job AND profile = @profile AND holder = @holder AND state = 'running'
            """, jobId, profile);
        command.Parameters.AddWithValue("state", state == PostgresJobState.Completed ? "completed" : "failed");
        command.Parameters.AddWithValue("holder", holder);
        command.Parameters.Add(new NpgsqlParameter("delivered", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)coverage?.TotalDelivered ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("expected", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)coverage?.Status?.Completed ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("unaccounted", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)coverage?.Unaccounted ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("reason", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)reason ?? DBNull.Value });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => _schema.OpenAsync(_dataSource, cancellationToken);

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, string jobId, string profile)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("job", jobId);
        command.Parameters.AddWithValue("profile", profile);
        return command;
    }

    private static void Check(string jobId, string profile, string holder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentException.ThrowIfNullOrWhiteSpace(profile);
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
    }

    private static string JobKindName(JobKind kind) => kind == JobKind.Crawl ? "crawl" : "batch";

    private static PostgresJobState ParseState(string state) => state switch
    {
        "running" => PostgresJobState.Running,
        "completed" => PostgresJobState.Completed,
        "failed" => PostgresJobState.Failed,
        "split" => PostgresJobState.Split,
        _ => PostgresJobState.Pending,
    };
}
