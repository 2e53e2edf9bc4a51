using System.Globalization;
using Firecrawl.Streaming.Pipeline;

namespace Firecrawl.Streaming.Cli.Progress;

/// <summary>What a finished run did, for the summary.</summary>
internal sealed record RunReport(string JobId, PipelineResult Result, JobCoverage Coverage, Reconciliation Reconciliation)
{
    public JobStatus? Status => Coverage.Status;

    public long Delivered => Coverage.TotalDelivered;

    public double MegabytesReceived => Coverage.BytesReceived / 1_048_576d;

    public long Chunks => Coverage.ChunksReceived;

    public long DuplicatesDropped => Coverage.DuplicatesDropped;

    public TimeSpan Elapsed => Result.Elapsed;
}

/// <summary>One URL the job failed to scrape.</summary>
internal sealed record FailedUrl(string Url, string Reason);

/// <summary>
/// Pages delivered against the job's <c>completed</c> count, in one sentence, and, when they differ, the URLs
/// the job's errors endpoint lists as failed.
/// </summary>
internal sealed record Reconciliation(string Sentence, bool Matches, IReadOnlyList<FailedUrl> Failed, int FailedNotShown)
{
    public const int MaxListed = 20;

    public static Reconciliation Create(JobCoverage coverage, long readThisRun)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        long delivered = coverage.TotalDelivered;
        bool resumed = coverage.DeliveredBefore > 0;
        JobStatus? status = coverage.Status;
        JobErrors? errors = coverage.Errors;
        if (status is null)
        {
            return new Reconciliation(string.Create(c, $"Delivered {delivered:N0} pages; the job reported no status."), false, [], 0);
        }

        string job = string.Create(c, $"the job reports {status.Completed:N0} completed (status {status.Status})");
        if (resumed && readThisRun == 0)
        {
            return new Reconciliation($"No new pages after the checkpoint; {job}.", true, [], 0);
        }

        // A resumed run says how much of it this run did, so the reader is not surprised by a short run.
        string delivery = resumed && readThisRun != delivered
            ? string.Create(c, $"Delivered {delivered:N0} pages ({readThisRun:N0} in this run, after the checkpoint)")
            : string.Create(c, $"Delivered {delivered:N0} pages");
        if (delivered == status.Completed)
        {
            return new Reconciliation($"{delivery}, matching the job's completed count (status {status.Status}).", true, [], 0);
        }

        List<FailedUrl> failed = [];
        if (errors is not null)
        {
            failed.AddRange(errors.Errors.Select(e => new FailedUrl(e.Url ?? "(no url)", e.Error ?? e.Code ?? "failed")));
            failed.AddRange(errors.RobotsBlocked.Select(url => new FailedUrl(url, "blocked by robots.txt")));
        }

        string tail = errors is null
            ? "; the failed URLs could not be read."
            : failed.Count == 0
                ? "; the job lists no failed URLs."
                : string.Create(c, $"; {failed.Count:N0} URLs failed:");
        return new Reconciliation(
            $"{delivery} but {job}{tail}",
            false,
            [.. failed.Take(MaxListed)],
            Math.Max(0, failed.Count - MaxListed));
    }
}
