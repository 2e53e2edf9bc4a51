using Firecrawl.Streaming.Webhooks.Events;

namespace Firecrawl.Streaming.Webhooks.Receiving;

/// <summary>
/// What the receiver knows of every job: the <c>webhookId</c>s and page identities already journaled (or being
/// journaled), whether the job is closed (a <c>completed</c> event, or its quiet period, is journaled: the status endpoint
/// answers for everything after it), and the counts a report needs. Built from the journal at open, then kept current
/// in journal order.
/// </summary>
/// <remarks>
/// A delivery is admitted under one lock, which reserves its ids until its record is durable; a repeat that arrives
/// meanwhile waits for the original's outcome instead of being journaled twice. A failed append releases the reservation.
/// </remarks>
internal sealed class JobLedger
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _webhookIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<bool>> _pendingIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JobState> _jobs = new(StringComparer.Ordinal);

    internal sealed class JobState(JobKind kind)
    {
        public JobKind Kind { get; } = kind;

        public HashSet<string> Pushed { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Task<bool>> Pending { get; } = new(StringComparer.Ordinal);

        public List<string> FailedPages { get; } = [];

        public long NextPosition { get; set; }

        public long Duplicates { get; set; }

        public bool Closed { get; set; }

        public bool QuietRequested { get; set; }

        public long LastEvent { get; set; }
    }

    /// <summary>A delivery let in: complete <see cref="Done"/> through <see cref="Commit"/> or <see cref="Release"/>.</summary>
    internal sealed record Admission(TaskCompletionSource<bool>? Done, Task<bool>? Repeat);

    /// <summary>Lets a delivery in, or names it a repeat (with the original's outcome when that is still being written).</summary>
    public Admission Admit(ParsedDelivery delivery, long now)
    {
        lock (_lock)
        {
            JobState job = Job(delivery.Kind, delivery.JobId);
            job.LastEvent = now;
            Task<bool>? repeat = null;
            if (delivery.WebhookId is { } id && (_webhookIds.Contains(id) || _pendingIds.TryGetValue(id, out repeat)))
            {
                return Repeat(job, repeat);
            }

            // Once the job is closed, its status endpoint answers for every page: a late or replayed event adds nothing.
            if (job.Closed)
            {
                return Repeat(job, null);
            }

            foreach (string key in delivery.PageKeys)
            {
                if (job.Pushed.Contains(key) || job.Pending.TryGetValue(key, out repeat))
                {
                    return Repeat(job, repeat);
                }
            }

            var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (delivery.WebhookId is { } webhookId)
            {
                _pendingIds[webhookId] = done.Task;
            }

            foreach (string key in delivery.PageKeys)
            {
                job.Pending[key] = done.Task;
            }

            return new Admission(done, null);
        }
    }

    /// <summary>Records a durable delivery, in journal order, and returns where its pages start among the job's pushed pages.</summary>
    public long Commit(ParsedDelivery delivery, TaskCompletionSource<bool>? done)
    {
        lock (_lock)
        {
            JobState job = Job(delivery.Kind, delivery.JobId);
            if (delivery.WebhookId is { } id)
            {
                _pendingIds.Remove(id);
                _webhookIds.Add(id);
            }

            long first = job.NextPosition;
            bool page = delivery.EventType == WebhookEventType.Page;
            foreach (string key in delivery.PageKeys)
            {
                job.Pending.Remove(key);
                if (page && delivery.Success)
                {
                    job.Pushed.Add(key);
                }
            }

            if (page && delivery.Success)
            {
                job.NextPosition += delivery.PageKeys.Count;
            }
            else if (page)
            {
                job.FailedPages.Add(FailedPageUrl(delivery));
            }
            else if (delivery.EventType is WebhookEventType.Completed or WebhookEventType.Failed or WebhookEventType.Cancelled)
            {
                job.Closed = true;
            }

            done?.TrySetResult(true);
            return first;
        }
    }

    /// <summary>Gives up a reservation whose record could not be written: a later delivery of it is new again.</summary>
    public void Release(ParsedDelivery delivery, TaskCompletionSource<bool> done)
    {
        lock (_lock)
        {
            if (delivery.WebhookId is { } id)
            {
                _pendingIds.Remove(id);
            }

            JobState job = Job(delivery.Kind, delivery.JobId);
            foreach (string key in delivery.PageKeys)
            {
                job.Pending.Remove(key);
            }
        }

        done.TrySetResult(false);
    }

    /// <summary>Closes a job whose quiet period elapsed (its record is durable).</summary>
    public void CloseQuiet(JobKind kind, string jobId)
    {
        lock (_lock)
        {
            Job(kind, jobId).Closed = true;
        }
    }

    /// <summary>The jobs closed so far.</summary>
    public List<(JobKind Kind, string JobId)> ClosedJobs()
    {
        lock (_lock)
        {
            return [.. _jobs.Where(j => j.Value.Closed).Select(j => (j.Value.Kind, j.Key))];
        }
    }

    /// <summary>The open jobs that heard nothing since <paramref name="since"/> and were not reported quiet yet; marks them reported.</summary>
    public List<(JobKind Kind, string JobId)> TakeQuiet(long since)
    {
        lock (_lock)
        {
            List<(JobKind, string)> quiet = [];
            foreach ((string id, JobState job) in _jobs)
            {
                if (!job.Closed && !job.QuietRequested && job.LastEvent <= since)
                {
                    job.QuietRequested = true;
                    quiet.Add((job.Kind, id));
                }
            }

            return quiet;
        }
    }

    /// <summary>Allows a job to be reported quiet again (its quiet record could not be written).</summary>
    public void ResetQuiet(string jobId)
    {
        lock (_lock)
        {
            if (_jobs.TryGetValue(jobId, out JobState? job))
            {
                job.QuietRequested = false;
            }
        }
    }

    /// <summary>A snapshot of what a report needs: the pushed identities, failed-page URLs and repeats dropped.</summary>
    public (HashSet<string> Pushed, string[] Failed, long Duplicates) Snapshot(JobKind kind, string jobId)
    {
        lock (_lock)
        {
            JobState job = Job(kind, jobId);
            return (new HashSet<string>(job.Pushed, StringComparer.Ordinal), [.. job.FailedPages], job.Duplicates);
        }
    }

    private JobState Job(JobKind kind, string jobId)
    {
        if (!_jobs.TryGetValue(jobId, out JobState? job))
        {
            _jobs[jobId] = job = new JobState(kind);
        }

        return job;
    }

    private static Admission Repeat(JobState job, Task<bool>? pending)
    {
        job.Duplicates++;
        return new Admission(null, pending ?? Task.FromResult(true));
    }

    private static string FailedPageUrl(ParsedDelivery delivery)
    {
        if (delivery.PageJson.Count == 0)
        {
            return "(no url)";
        }

        ScrapedPage stub = PageParser.Parse(delivery.PageJson[0].Span, delivery.JobId, 0, delivery.Kind);
        return stub.Url ?? "(no url)";
    }
}
