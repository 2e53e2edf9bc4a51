using Npgsql;

namespace Firecrawl.Streaming.Sinks.PostgreSql;

/// <summary>
/// Big jobs split into ranges: each range is a row of its own, keyed <c>JOB#START-STOP</c>, leased, renewed, taken over
/// and ended exactly like a job; the job's own row says <c>split</c> until the reconcile completes it.
/// </summary>
public sealed partial class PostgresJobStore
{
    private const char KeySeparator = '#';

    /// <summary>The key a range's row (and its checkpoint) is stored under: <c>JOB#START-STOP</c>.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="range">The range.</param>
    /// <returns>The key, to pass where a job id goes.</returns>
    public static string RangeKey(string jobId, JobRange range)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        return $"{jobId}{KeySeparator}{range}";
    }

    /// <summary>The key of the row the reconcile of a split job is leased under: <c>JOB#reconcile</c>.</summary>
    /// <param name="jobId">The job id.</param>
    /// <returns>The key, to pass where a job id goes.</returns>
    public static string ReconcileKey(string jobId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        return jobId + KeySeparator + "reconcile";
    }

    /// <summary>
    /// Records, in one transaction, that the job whose lease <paramref name="holder"/> holds is split into
    /// <paramref name="ranges"/>: a pending row per range (rows there already are kept, so splitting again changes
    /// nothing), and the job's row <c>split</c>, its lease ended, <c>expected</c> the job's count.
    /// </summary>
    /// <param name="kind">The kind of job.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="profile">The sinks profile.</param>
    /// <param name="holder">The job lease's holder.</param>
    /// <param name="completed">The pages the job reports <c>completed</c>.</param>
    /// <param name="ranges">The ranges.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the record was written (false when <paramref name="holder"/> no longer held the job).</returns>
    public async Task<bool> SplitAsync(JobKind kind, string jobId, string profile, string holder, long completed, IReadOnlyList<JobRange> ranges, CancellationToken cancellationToken = default)
    {
        Check(jobId, profile, holder);
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentOutOfRangeException.ThrowIfZero(ranges.Count);
        await using NpgsqlConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (NpgsqlCommand insert = Command(connection, transaction, $"""
            INSERT INTO {_quoted} (job_id, profile, kind, state) SELECT key, @profile, @kind, 'pending' FROM unnest(@keys::text[]) AS k(key)
            ON CONFLICT DO NOTHING
            """, jobId, profile))
        {
            insert.Parameters.AddWithValue("kind", JobKindName(kind));
            insert.Parameters.AddWithValue("keys", ranges.Select(r => RangeKey(jobId, r)).ToArray());
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (NpgsqlCommand update = Command(connection, transaction, $"""
            UPDATE {_quoted} SET state = 'split', holder = NULL, lease_expires_at = NULL, expected = @expected, reason = @reason, updated_at = now()
            WHERE job_id = @job AND profile = @profile AND holder = @holder AND state = 'running'
            """, jobId, profile))
        {
            update.Parameters.AddWithValue("holder", holder);
            update.Parameters.AddWithValue("expected", completed);
            update.Parameters.AddWithValue("reason", $"split into {ranges.Count} ranges");
            if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return false;
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Reads the rows of a split job's ranges, in listing order.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="profile">The sinks profile.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The ranges' rows (their <see cref="PostgresJobRecord.Range"/> set); none when the job was not split.</returns>
    public async Task<IReadOnlyList<PostgresJobRecord>> ListRangesAsync(string jobId, string profile, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentException.ThrowIfNullOrWhiteSpace(profile);
        IReadOnlyList<PostgresJobRecord> rows = await ReadAsync(null, profile, cancellationToken, prefix: jobId + KeySeparator).ConfigureAwait(false);
        return [.. rows.Where(r => r.Range is not null).OrderBy(r => r.Range!.Value.Start)];
    }

    /// <summary>Records that a split job completed with the coverage its reconcile proved; false when it is not split (completed already).</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="profile">The sinks profile.</param>
    /// <param name="coverage">The job's coverage report.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the record was written.</returns>
    public Task<bool> CompleteSplitAsync(string jobId, string profile, JobCoverage coverage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(coverage);
        return EndSplitAsync(jobId, profile, PostgresJobState.Completed, coverage, null, cancellationToken);
    }

    /// <summary>
    /// Records that a split job failed for good when it was reconciled (its reconcile walk could not account for every
    /// page, or the job can no longer be read), and why; false when the job was not split or has ended already.
    /// </summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="profile">The sinks profile.</param>
    /// <param name="reason">Why, in one sentence.</param>
    /// <param name="coverage">The reconcile walk's coverage report, or null when the job could not be read.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the record was written.</returns>
    public Task<bool> FailSplitAsync(string jobId, string profile, string reason, JobCoverage? coverage, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return EndSplitAsync(jobId, profile, PostgresJobState.Failed, coverage, reason, cancellationToken);
    }

    private async Task<bool> EndSplitAsync(string jobId, string profile, PostgresJobState state, JobCoverage? coverage, string? reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentException.ThrowIfNullOrWhiteSpace(profile);
        await using NpgsqlConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Command(connection, null, $"""
            UPDATE {_quoted} SET state = @state, delivered = @delivered, expected = @expected, unaccounted = @unaccounted, reason = @reason, updated_at = now()
            WHERE job_id = @job AND profile = @profile AND state = 'split'
            """, jobId, profile);
        command.Parameters.AddWithValue("state", state == PostgresJobState.Completed ? "completed" : "failed");
        command.Parameters.Add(new NpgsqlParameter("delivered", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)coverage?.TotalDelivered ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("expected", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)coverage?.Status?.Completed ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("unaccounted", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)coverage?.Unaccounted ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("reason", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)reason ?? DBNull.Value });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private static JobRange? ParseRange(string key)
    {
        int separator = key.LastIndexOf(KeySeparator);
        return separator > 0 && JobRange.TryParse(key[(separator + 1)..], out JobRange range) ? range : null;
    }
}
