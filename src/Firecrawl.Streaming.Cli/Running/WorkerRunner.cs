using System.Globalization;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.IO;
using Firecrawl.Streaming.Cli.Progress;
using Firecrawl.Streaming.Cli.Sinks;
using Firecrawl.Streaming.RabbitMq;
using Firecrawl.Streaming.Sinks.PostgreSql;
using Npgsql;

namespace Firecrawl.Streaming.Cli.Running;

/// <summary>
/// <c>fcstream worker</c>: consumes the job queue and streams each job with <see cref="JobRunner"/>, holding the job's
/// lease in the shared PostgreSQL state while it does, with its checkpoint there too, so that a job a worker dropped
/// (killed, stopped, a broker restart) is resumed by another exactly where the sinks left off.
/// </summary>
internal sealed partial class WorkerRunner(CliConsole console, Redactor redactor, WorkerSettings settings)
{
    public const string StateDbVariable = "FCSTREAM_STATE_DB";

    private readonly string _holder = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}");
    private readonly Lock _output = new();

    /// <summary>The state database's connection string: <c>--state-db</c>, else <c>FCSTREAM_STATE_DB</c>; a secret either way.</summary>
    public static string StateDb(string? option, CliConsole console, Redactor redactor)
    {
        string? text = string.IsNullOrWhiteSpace(option) ? console.GetVariable(StateDbVariable) : option;
        if (string.IsNullOrWhiteSpace(text))
        {
            throw CliException.Usage($"A worker keeps job state and checkpoints in PostgreSQL: pass --state-db CONNECTION_STRING or set {StateDbVariable}.");
        }

        redactor.Add(text);
        try
        {
            redactor.Add(new NpgsqlConnectionStringBuilder(text).Password);
        }
        catch (ArgumentException)
        {
            throw CliException.Usage("--state-db is not a PostgreSQL connection string (Host=...;Database=...;Username=...;Password=...).");
        }

        return text;
    }

    /// <summary>Consumes jobs until cancelled (SIGTERM, Ctrl+C), then gives back what it holds and returns.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlDataSource state = NpgsqlDataSource.Create(settings.StateDb);
        await using var queue = new RabbitMqJobQueueClient(settings.AmqpUri, settings.Queue);
        var shared = new WorkerState(new PostgresJobStore(state), state, new PostgresPageClaims(state), queue);
        var worker = new RabbitMqJobWorker(settings.AmqpUri, new RabbitMqJobWorkerOptions
        {
            Queue = settings.Queue,
            Concurrency = settings.Concurrency,
            Log = line => Say($"worker: {line}"),
        });
        Say($"Worker {_holder} consuming {settings.Queue.QueueName} (profile {settings.Profile}, {settings.Concurrency} at once).");
        SayWhyNotSplitting();
        await worker.RunAsync((delivery, ct) => HandleAsync(shared, delivery, ct), cancellationToken).ConfigureAwait(false);
        Say($"Worker {_holder} stopped.");
    }

    private Task<JobOutcome> HandleAsync(WorkerState shared, JobDelivery delivery, CancellationToken stopping)
    {
        JobMessage job = delivery.Message;
        if (!string.Equals(job.Profile, settings.Profile, StringComparison.Ordinal))
        {
            // Another pool's job on this queue: give it back, and let the delivery limit park it if no such pool exists.
            Say($"{job}: profile {job.Profile} is not this worker's ({settings.Profile}); returned to the queue.");
            return Task.FromResult(JobOutcome.Retry);
        }

        return job.IsReconcile ? ReconcileAsync(shared, job, stopping)
            : job.Range is JobRange range ? RangeAsync(shared, job, range, stopping)
            : WholeJobAsync(shared, job, stopping);
    }

    private async Task<JobOutcome> WholeJobAsync(WorkerState shared, JobMessage job, CancellationToken stopping)
    {
        PostgresJobLease lease = await AcquireAsync(shared.Store, job, job.JobId, stopping).ConfigureAwait(false);
        if (!lease.Acquired)
        {
            if (lease.State == PostgresJobState.Split)
            {
                // A duplicate or redelivered message of a split job: its ranges again (the same message ids), in case
                // the worker that split it died before they were all on the queue.
                await RepublishRangesAsync(shared, job, stopping).ConfigureAwait(false);
            }

            return JobOutcome.Completed; // ended already: a duplicate or a redelivered message
        }

        return await LeasedAsync(shared.Store, job, job.JobId, async ct =>
        {
            if (await TrySplitAsync(shared, job, ct).ConfigureAwait(false) is JobOutcome split)
            {
                return split;
            }

            (JobOutcome outcome, RunReport? report) = await StreamAsync(shared.Store, job, job.JobId, ForJob(job, shared, job.JobId, AllPages), ct).ConfigureAwait(false);
            return report is null ? outcome : await CompleteAsync(shared.Store, job, job.JobId, report.Coverage, report).ConfigureAwait(false);
        }, stopping).ConfigureAwait(false);
    }

    /// <summary>
    /// Streams under the lease of <paramref name="key"/> (a job, a range, a reconcile), renewing it, and stops when another
    /// worker took it over or the worker is stopping.
    /// </summary>
    private async Task<JobOutcome> LeasedAsync(PostgresJobStore store, JobMessage job, string key, Func<CancellationToken, Task<JobOutcome>> work, CancellationToken stopping)
    {
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var lost = new StrongBox();
        Task heartbeat = HeartbeatAsync(store, job, key, run, lost);
        try
        {
            return await work(run.Token).ConfigureAwait(false);
        }
        catch (Exception) when (lost.Value && run.IsCancellationRequested)
        {
            // Another worker holds the job now (this one stalled past its lease), and holds a message for it.
            Say($"{job}: the lease was taken over; this worker stopped streaming it.");
            return JobOutcome.Completed;
        }
        catch (Exception e) when (run.IsCancellationRequested)
        {
            // Stopping: the run flushed its sinks and saved its checkpoint; the next worker resumes after it at once.
            await ReleaseAsync(store, job, key).ConfigureAwait(false);
            throw new OperationCanceledException(e.Message, e, stopping);
        }
        finally
        {
            await run.CancelAsync().ConfigureAwait(false);
            await heartbeat.ConfigureAwait(false);
        }
    }

    /// <summary>Takes the lease of <paramref name="key"/>, waiting while a live worker holds it; not acquired when it has ended (or was split).</summary>
    private async Task<PostgresJobLease> AcquireAsync(PostgresJobStore store, JobMessage job, string key, CancellationToken stopping)
    {
        bool said = false;
        while (true)
        {
            PostgresJobLease lease = await store.TryAcquireAsync(job.Kind, key, job.Profile, _holder, settings.Lease, stopping).ConfigureAwait(false);
            if (lease.Acquired)
            {
                string takeover = lease.TakenOverFrom is { } from ? $", taken over from {from} whose lease expired" : string.Empty;
                Say(string.Create(CultureInfo.InvariantCulture, $"{job}: {(job.IsReconcile ? "reconciling" : "streaming")} (attempt {lease.Attempts}{takeover})."));
                return lease;
            }

            if (lease.State is PostgresJobState.Completed or PostgresJobState.Failed or PostgresJobState.Split)
            {
                string ended = lease.State switch
                {
                    PostgresJobState.Completed => "completed already",
                    PostgresJobState.Split => "split into ranges already",
                    _ => "failed already: " + lease.Reason,
                };
                Say($"{job}: {ended}; acknowledged.");
                return lease;
            }

            if (!said)
            {
                // Its holder is alive (or died and its lease has not expired yet): wait for either to become plain.
                Say($"{job}: leased to {lease.Holder}; waiting for it to end or expire.");
                said = true;
            }

            await Task.Delay(Poll, stopping).ConfigureAwait(false);
        }
    }

    private TimeSpan Poll => TimeSpan.FromTicks(Math.Clamp(settings.Lease.Ticks / 6, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(5).Ticks));

    /// <summary>Runs one share of a job; a failure for good is recorded on <paramref name="key"/>, one worth retrying gives the lease back.</summary>
    private async Task<(JobOutcome Outcome, RunReport? Report)> StreamAsync(PostgresJobStore store, JobMessage job, string key, RunSettings run, CancellationToken cancellationToken)
    {
        try
        {
            return (JobOutcome.Completed, await new JobRunner(console, redactor).RunAsync(run, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
        {
            (int code, string sentence) = ErrorReporter.Describe(e, cancellationToken);
            if (IsPermanent(code, e))
            {
                await store.FailAsync(key, job.Profile, _holder, sentence, null, CancellationToken.None).ConfigureAwait(false);
                Say($"{job}: failed for good: {sentence}");
                return (JobOutcome.Failed, null);
            }

            await ReleaseAsync(store, job, key).ConfigureAwait(false);
            Say($"{job}: {sentence} It goes back to the queue.");
            return (JobOutcome.Retry, null);
        }
    }

    /// <summary>Records <paramref name="key"/> completed with its coverage.</summary>
    private async Task<JobOutcome> CompleteAsync(PostgresJobStore store, JobMessage job, string key, JobCoverage coverage, RunReport report)
    {
        if (!await store.CompleteAsync(key, job.Profile, _holder, coverage, CancellationToken.None).ConfigureAwait(false))
        {
            Say($"{job}: completed, but the lease had been taken over meanwhile; the other worker records it.");
            return JobOutcome.Completed;
        }

        string what = job.Range is null ? "coverage complete" : string.Create(CultureInfo.InvariantCulture, $"{coverage.TotalDelivered:N0} listed in the range");
        Say(string.Create(CultureInfo.InvariantCulture, $"{job}: completed, {report.Delivered:N0} pages in every sink ({report.Coverage.Delivered:N0} this run), {what}."));
        return JobOutcome.Completed;
    }

    /// <summary>
    /// One share's run: the sinks with <c>{job}</c> and <c>{range}</c> replaced, and its checkpoint in the shared state
    /// database under <paramref name="key"/>, fenced by its lease.
    /// </summary>
    private RunSettings ForJob(JobMessage job, WorkerState shared, string key, string rangeLabel)
    {
        SinkSpec[] sinks = [.. SinkTexts(job, rangeLabel).Select(SinkSpec.Parse)];
        return settings.Template with
        {
            Kind = job.Kind,
            JobId = job.JobId,
            Sinks = sinks,
            AmqpUri = settings.Template.AmqpUri ?? settings.AmqpUri,
            // Saved only while this worker holds the lease: one that stalled past it cannot move the new holder's checkpoint.
            CheckpointStore = new PostgresCheckpointStore(shared.State, sinks.Select(s => s.Text), job.JobId)
            {
                RowKey = string.Equals(key, job.JobId, StringComparison.Ordinal) ? null : key,
            }.FencedBy(shared.Store, key, job.Profile, _holder),
        };
    }

    private IEnumerable<string> SinkTexts(JobMessage job, string rangeLabel) =>
        settings.Template.Sinks.Select(spec => spec.Text.Replace("{job}", job.JobId, StringComparison.Ordinal).Replace(RangePlaceholder, rangeLabel, StringComparison.Ordinal));

    /// <summary>
    /// Whether running the job again cannot help: it ended failed or cancelled on the server, it has pages nobody can
    /// account for, the API says the id is invalid or unknown, or the stored checkpoint cannot resume it. Anything
    /// else (the API or a sink unreachable, a rejected key) is worth another delivery.
    /// </summary>
    private static bool IsPermanent(int code, Exception error)
    {
        if (code is ExitCodes.Incomplete or ExitCodes.JobEnded or ExitCodes.Usage)
        {
            return true;
        }

        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is FirecrawlApiException { Status: 400 or 404 } or FirecrawlApiException { ErrorCode: JobStreamErrorCode.RequestFailed })
            {
                return true;
            }
        }

        return false;
    }

    private async Task HeartbeatAsync(PostgresJobStore store, JobMessage job, string key, CancellationTokenSource run, StrongBox lost)
    {
        TimeSpan every = settings.Lease / 3;
        try
        {
            while (true)
            {
                await Task.Delay(every, run.Token).ConfigureAwait(false);
                bool held;
                try
                {
                    held = await store.RenewAsync(key, job.Profile, _holder, settings.Lease, run.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
                {
                    continue; // the database blinked: the lease has two more renewals' worth of time
                }

                if (!held)
                {
                    lost.Value = true;
                    await run.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
    }

    private async Task ReleaseAsync(PostgresJobStore store, JobMessage job, string key)
    {
        try
        {
            await store.ReleaseAsync(key, job.Profile, _holder, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or IOException)
        {
            // The lease expires by itself.
        }
    }

    private void Say(string line)
    {
        lock (_output)
        {
            console.Error.WriteLine(redactor.Redact(line));
            console.Error.Flush();
        }
    }

    private sealed class StrongBox
    {
        public volatile bool Value;
    }

    /// <summary>What every handler of this worker shares: the state database, its stores, and the queue to publish ranges on.</summary>
    private sealed record WorkerState(PostgresJobStore Store, NpgsqlDataSource State, PostgresPageClaims Claims, RabbitMqJobQueueClient Queue);
}
