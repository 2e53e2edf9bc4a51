using System.Globalization;
using Firecrawl.Streaming.Cli.Progress;
using Firecrawl.Streaming.Cli.Sinks;
using Firecrawl.Streaming.RabbitMq;
using Firecrawl.Streaming.Sinks.PostgreSql;

namespace Firecrawl.Streaming.Cli.Running;

/// <summary>
/// Big jobs in parallel: a finished job of more than <see cref="WorkerSettings.SplitPages"/> pages is split into
/// <c>skip</c> ranges, each a message and a leased row of its own, streamed by whichever workers take them; each range
/// claims its pages in PostgreSQL before its sinks see them, so a page the server's moving offsets list in two ranges
/// goes to the sinks once. The worker that completes the last range publishes a reconcile, which proves the ranges
/// covered the job or walks it once more for what none of them claimed.
/// </summary>
internal sealed partial class WorkerRunner
{
    /// <summary>The placeholder of sink targets that each range replaces with its own label.</summary>
    public const string RangePlaceholder = "{range}";

    /// <summary>What <c>{range}</c> becomes for a job streamed whole, and for the reconcile walk.</summary>
    public const string AllPages = "all";

    /// <summary>The claims owner of the reconcile walk.</summary>
    private const string ReconcileOwner = "reconcile";

    /// <summary>File and directory sinks whose target lacks <c>{range}</c>: several workers would write the same file.</summary>
    private IEnumerable<SinkSpec> SharedFileSinks() => settings.Template.Sinks.Where(spec =>
        spec.Kind is SinkKind.JsonLines or SinkKind.Markdown or SinkKind.Lucene && !spec.IsStdout && !spec.Text.Contains(RangePlaceholder, StringComparison.Ordinal));

    private bool CanSplit => settings.SplitPages > 0 && !SharedFileSinks().Any();

    private void SayWhyNotSplitting()
    {
        if (settings.SplitPages > 0 && SharedFileSinks().Select(s => s.Text).ToArray() is { Length: > 0 } shared)
        {
            Say($"Big jobs are streamed whole, not split across workers: {string.Join(", ", shared)} would be written by several workers at once; put {RangePlaceholder} in their targets to split.");
        }
    }

    /// <summary>
    /// Splits the job whose lease this worker holds when it is finished and bigger than <see cref="WorkerSettings.SplitPages"/>
    /// (a running job is tailed by one walk; one streamed part-way already goes on as it was): records the split and
    /// publishes its ranges. Null when not split; else how the message is settled.
    /// </summary>
    private async Task<JobOutcome?> TrySplitAsync(WorkerState shared, JobMessage job, CancellationToken cancellationToken)
    {
        if (!CanSplit)
        {
            return null;
        }

        var checkpoint = new PostgresCheckpointStore(shared.State, SinkTexts(job, AllPages), job.JobId);
        if (await checkpoint.LoadAsync(cancellationToken).ConfigureAwait(false) is not null)
        {
            return null;
        }

        JobStatus status = await ReadStatusAsync(job, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(status.Status, "completed", StringComparison.Ordinal) || status.Completed <= settings.SplitPages)
        {
            return null;
        }

        IReadOnlyList<JobRange> ranges = JobRange.Split(status.Completed, settings.SplitPages);
        if (!await shared.Store.SplitAsync(job.Kind, job.JobId, job.Profile, _holder, status.Completed, ranges, CancellationToken.None).ConfigureAwait(false))
        {
            Say($"{job}: the lease was taken over before the split was recorded; the other worker goes on with it.");
            return JobOutcome.Completed;
        }

        // Recorded first: should publishing fail, the message goes back to the queue and its redelivery publishes them.
        // (The split ended the lease, so the heartbeat reports it lost: the outcome is decided here, not by that.)
        try
        {
            await shared.Queue.EnqueueAsync(ranges.Select(job.WithRange), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Say($"{job}: split, but its ranges could not be published ({e.Message}); it goes back to the queue, and its next delivery publishes them.");
            return JobOutcome.Retry;
        }

        Say(string.Create(CultureInfo.InvariantCulture, $"{job}: {status.Completed:N0} pages, split into {ranges.Count} ranges of up to {settings.SplitPages:N0} pages."));
        return JobOutcome.Completed;
    }

    private async Task RepublishRangesAsync(WorkerState shared, JobMessage job, CancellationToken cancellationToken)
    {
        IReadOnlyList<PostgresJobRecord> rows = await shared.Store.ListRangesAsync(job.JobId, job.Profile, cancellationToken).ConfigureAwait(false);
        await shared.Queue.EnqueueAsync(rows.Select(r => job.WithRange(r.Range!.Value)), cancellationToken).ConfigureAwait(false);
        Say(string.Create(CultureInfo.InvariantCulture, $"{job}: its {rows.Count} ranges published again."));
    }

    private async Task<JobOutcome> RangeAsync(WorkerState shared, JobMessage job, JobRange range, CancellationToken stopping)
    {
        string key = PostgresJobStore.RangeKey(job.JobId, range);
        PostgresJobLease lease = await AcquireAsync(shared.Store, job, key, stopping).ConfigureAwait(false);
        if (!lease.Acquired)
        {
            if (lease.State == PostgresJobState.Completed)
            {
                // Redelivered after its worker completed it: that worker may have died before publishing the reconcile.
                await ReconcileWhenLastAsync(shared, job, stopping).ConfigureAwait(false);
            }

            return JobOutcome.Completed;
        }

        JobOutcome outcome = await LeasedAsync(shared.Store, job, key, async ct =>
        {
            RunSettings run = ForJob(job, shared, key, range.Label) with
            {
                Range = range,
                PageFilter = shared.Claims.Filter(job.JobId, job.Profile, range.ToString()),
            };
            (JobOutcome streamed, RunReport? report) = await StreamAsync(shared.Store, job, key, run, ct).ConfigureAwait(false);
            if (report is null)
            {
                return streamed;
            }

            // The range's row counts its own offsets: the pages listed in it against the job's offsets it spans.
            JobCoverage coverage = report.Coverage.Status is { } status
                ? report.Coverage with { Status = status with { Completed = Math.Max(0, Math.Min(range.Stop, status.Completed) - range.Start) } }
                : report.Coverage;
            return await CompleteAsync(shared.Store, job, key, coverage, report).ConfigureAwait(false);
        }, stopping).ConfigureAwait(false);

        if (outcome == JobOutcome.Completed)
        {
            await ReconcileWhenLastAsync(shared, job, CancellationToken.None).ConfigureAwait(false);
        }

        return outcome;
    }

    /// <summary>
    /// Publishes the job's reconcile when every range is completed. Each worker completes its range before it looks, so
    /// of two finishing the last ranges at once at least one sees both completed (both may: the second reconcile finds
    /// the job completed).
    /// </summary>
    private async Task ReconcileWhenLastAsync(WorkerState shared, JobMessage job, CancellationToken cancellationToken)
    {
        IReadOnlyList<PostgresJobRecord> rows = await shared.Store.ListRangesAsync(job.JobId, job.Profile, cancellationToken).ConfigureAwait(false);
        if (rows.Count > 0 && rows.All(r => r.State == PostgresJobState.Completed))
        {
            JobMessage reconcile = job.ToReconcile();
            await shared.Queue.EnqueueAsync([reconcile], cancellationToken).ConfigureAwait(false);
            Say($"{reconcile}: every range is completed; reconcile published.");
        }
    }

    private async Task<JobOutcome> ReconcileAsync(WorkerState shared, JobMessage job, CancellationToken stopping)
    {
        PostgresJobRecord? whole = await shared.Store.GetAsync(job.JobId, job.Profile, stopping).ConfigureAwait(false);
        if (whole?.State != PostgresJobState.Split)
        {
            Say($"{job}: the job is {whole?.State.ToString().ToLowerInvariant() ?? "unknown"}, not split; nothing to reconcile.");
            return JobOutcome.Completed;
        }

        string key = PostgresJobStore.ReconcileKey(job.JobId);
        PostgresJobLease lease = await AcquireAsync(shared.Store, job, key, stopping).ConfigureAwait(false);
        if (!lease.Acquired)
        {
            return JobOutcome.Completed;
        }

        return await LeasedAsync(shared.Store, job, key, async ct =>
        {
            IReadOnlyList<PostgresJobRecord> rows = await shared.Store.ListRangesAsync(job.JobId, job.Profile, ct).ConfigureAwait(false);
            if (rows.Any(r => r.State != PostgresJobState.Completed))
            {
                // Published early (a duplicate): the worker that completes the last range publishes it again.
                await ReleaseAsync(shared.Store, job, key).ConfigureAwait(false);
                Say($"{job}: ranges are still being streamed; the last one reconciles.");
                return JobOutcome.Completed;
            }

            JobStatus status = await ReadStatusAsync(job, ct).ConfigureAwait(false);
            long listed = rows.Sum(r => r.Delivered ?? 0);
            long claimed = (await shared.Claims.CountAsync(job.JobId, job.Profile, ct).ConfigureAwait(false)).Values.Sum();
            JobCoverage coverage;
            if (status.IsTerminal && listed == status.Completed && claimed == status.Completed)
            {
                // Every offset of the job was listed in some range, and as many distinct pages are claimed: each page
                // the job counts is in the sinks once, and no page was listed twice (which would hide another).
                coverage = new JobCoverage { Kind = job.Kind, JobId = job.JobId, Status = status, Delivered = claimed };
                Say(string.Create(CultureInfo.InvariantCulture, $"{job}: {rows.Count} ranges listed {listed:N0} pages, {claimed:N0} claimed once each, of {status.Completed:N0}: coverage complete."));
            }
            else
            {
                Say(string.Create(CultureInfo.InvariantCulture, $"{job}: the ranges listed {listed:N0} pages and claimed {claimed:N0} of {status.Completed:N0}; one walk of the whole job delivers what no range claimed."));
                RunSettings walk = ForJob(job, shared, key, AllPages) with { PageFilter = shared.Claims.Filter(job.JobId, job.Profile, ReconcileOwner) };
                (JobOutcome outcome, RunReport? report) = await StreamAsync(shared.Store, job, key, walk, ct).ConfigureAwait(false);
                if (report is null)
                {
                    if (outcome == JobOutcome.Failed)
                    {
                        // The walk failed for good (pages nobody can account for, the job gone): so did the job.
                        PostgresJobRecord? failed = await shared.Store.GetAsync(key, job.Profile, CancellationToken.None).ConfigureAwait(false);
                        await shared.Store.FailSplitAsync(job.JobId, job.Profile, failed?.Reason ?? "The reconcile walk failed.", null, CancellationToken.None).ConfigureAwait(false);
                    }

                    return outcome;
                }

                coverage = report.Coverage;
            }

            if (!await shared.Store.CompleteAsync(key, job.Profile, _holder, coverage, CancellationToken.None).ConfigureAwait(false))
            {
                Say($"{job}: reconciled, but the lease had been taken over meanwhile; the other worker records it.");
                return JobOutcome.Completed;
            }

            await shared.Store.CompleteSplitAsync(job.JobId, job.Profile, coverage, CancellationToken.None).ConfigureAwait(false);
            Say(string.Create(CultureInfo.InvariantCulture, $"{job}: completed, {coverage.TotalDelivered:N0} pages across {rows.Count} ranges, coverage complete."));
            return JobOutcome.Completed;
        }, stopping).ConfigureAwait(false);
    }

    /// <summary>The job's status, with one request (the first page, whose response carries the counts).</summary>
    private async Task<JobStatus> ReadStatusAsync(JobMessage job, CancellationToken cancellationToken)
    {
        RunSettings t = settings.Template;
        using FirecrawlJobClient client = ApiClients.Create(console, redactor, new ApiSettings(t.ApiUrl, t.ApiKey, t.MaxRetries, ChunkLimit: 1, Concurrency: 1), t.PollInterval, t.RetryBaseDelay);
        JobPages pages = client.StreamJobAsync(job.Kind, job.JobId, new JobStreamOptions { StopAt = 1 }, cancellationToken);
        using var known = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // A running job without pages yet would be polled: the first status is all that is wanted.
        pages.StatusChanged += (_, _) => known.Cancel();
        try
        {
            await foreach (ScrapedPage page in pages.WithCancellation(known.Token).ConfigureAwait(false))
            {
                page.Dispose();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && pages.Status is not null)
        {
            // Known.
        }

        return pages.Status ?? throw new InvalidOperationException($"The status of {job.JobId} was not read.");
    }
}
