namespace Firecrawl.Streaming.Sinks.PostgreSql;

/// <summary>Where a job stands in a <see cref="PostgresJobStore"/>.</summary>
public enum PostgresJobState
{
    /// <summary>Known, not being streamed: never started, or given back (a shutdown, a failure worth retrying).</summary>
    Pending,

    /// <summary>A worker holds its lease and is streaming it (or died holding it, until the lease expires).</summary>
    Running,

    /// <summary>Every page is in every sink and the coverage report is complete.</summary>
    Completed,

    /// <summary>Failed for good, with a reason (pages unaccounted for, the job failed on the server or does not exist).</summary>
    Failed,

    /// <summary>
    /// Split into ranges streamed by several workers at once (rows of their own, see <see cref="PostgresJobStore.RangeKey"/>);
    /// completed once a reconcile has proven their coverage (<see cref="PostgresJobStore.CompleteSplitAsync"/>).
    /// </summary>
    Split,
}

/// <summary>The answer to <see cref="PostgresJobStore.TryAcquireAsync"/>: the lease, or why there is none.</summary>
/// <param name="Acquired">Whether the caller now holds the job's lease and may stream it.</param>
/// <param name="State">The job's state after the call (<see cref="PostgresJobState.Running"/> when acquired).</param>
/// <param name="Holder">The lease's holder: the caller when acquired, another worker when it holds a live lease, else null.</param>
/// <param name="ExpiresAt">When the lease expires unless renewed (the database's clock), or null when nobody holds it.</param>
/// <param name="TakenOverFrom">When acquired from a worker whose lease had expired (a crash, a hang), that worker; else null.</param>
/// <param name="Attempts">How many times the job's lease was acquired, this time included.</param>
/// <param name="Reason">Why the job failed, when <see cref="State"/> is <see cref="PostgresJobState.Failed"/>.</param>
public sealed record PostgresJobLease(bool Acquired, PostgresJobState State, string? Holder, DateTimeOffset? ExpiresAt, string? TakenOverFrom, int Attempts, string? Reason);

/// <summary>A job's row in a <see cref="PostgresJobStore"/>: its state, its lease and its coverage counters.</summary>
/// <param name="Kind">The kind of job.</param>
/// <param name="JobId">The job id.</param>
/// <param name="Profile">The sinks profile the job is streamed into.</param>
/// <param name="State">Where the job stands.</param>
/// <param name="Holder">The worker holding its lease, or null.</param>
/// <param name="Attempts">How many times its lease was acquired.</param>
/// <param name="Delivered">Pages delivered to every sink (recorded when it completed or failed).</param>
/// <param name="Expected">Pages the job reports <c>completed</c> (recorded when it completed or failed).</param>
/// <param name="Unaccounted">Pages neither delivered nor listed as failed or robots-blocked (recorded when it completed or failed).</param>
/// <param name="Reason">Why it failed, or null.</param>
public sealed record PostgresJobRecord(JobKind Kind, string JobId, string Profile, PostgresJobState State, string? Holder, int Attempts,
    long? Delivered, long? Expected, long? Unaccounted, string? Reason)
{
    /// <summary>Gets the range of the job this row stands for, when it is a range's row (<see cref="PostgresJobStore.RangeKey"/>); else null.</summary>
    public JobRange? Range { get; init; }
}
