using System.Globalization;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Pipeline;

namespace Firecrawl.Streaming.Cli.Progress;

/// <summary>What a finished run did, for the summary and the exit code.</summary>
internal sealed record RunReport(string JobId, PipelineResult Result, JobCoverage Coverage, Reconciliation Reconciliation)
{
    public JobStatus? Status => Coverage.Status;

    public long Delivered => Coverage.TotalDelivered;

    public double MegabytesReceived => Coverage.BytesReceived / 1_048_576d;

    public long Chunks => Coverage.ChunksReceived;

    public long DuplicatesDropped => Coverage.DuplicatesDropped;

    public TimeSpan Elapsed => Result.Elapsed;

    /// <summary>
    /// Gets the exit code the run earns once everything received is written: pages unaccounted for beat a job that
    /// ended <c>failed</c> or <c>cancelled</c>, which beats success.
    /// </summary>
    public int ExitCode => Coverage switch
    {
        { Unaccounted: > 0 } => ExitCodes.Incomplete,
        { Status.Status: "failed" or "cancelled" } => ExitCodes.JobEnded,
        _ => ExitCodes.Success,
    };

    /// <summary>The sentence for a run that did not succeed: what is missing or how the job ended, and how to resume.</summary>
    public string Outcome(string? checkpointPath)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        string job = $"{(Coverage.Kind == JobKind.Crawl ? "Crawl" : "Batch scrape")} {JobId}";
        if (ExitCode == ExitCodes.JobEnded)
        {
            return string.Create(c, $"{job} ended {Coverage.Status!.Status} on the server; all {Delivered:N0} pages it produced are saved.");
        }

        string resume = checkpointPath is null
            ? "run it again with --checkpoint FILE to keep what is saved and fetch only the rest"
            : $"run the same command again to resume from the checkpoint in {checkpointPath}";
        return string.Create(
            c,
            $"{job}: {Coverage.Unaccounted:N0} of the {Coverage.Status!.Completed:N0} pages it reports completed are unaccounted for (delivered {Delivered:N0}, failed {Coverage.Failed:N0}, robots-blocked {Coverage.RobotsBlocked:N0}); the {Delivered:N0} received are saved — {resume}.");
    }

    /// <summary>The coverage as <c>key=value</c> pairs, for the plain summary.</summary>
    public string CoverageFields() => string.Create(
        CultureInfo.InvariantCulture,
        $"duplicates={Coverage.DuplicatesDropped} repaired={Coverage.Repaired} failed={Coverage.Failed} robots={Coverage.RobotsBlocked} dead={Coverage.DeadLettered} unaccounted={Coverage.Unaccounted}");
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
        if (resumed && readThisRun == 0 && coverage.Unaccounted == 0)
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
                : coverage.Unaccounted == 0
                    ? string.Create(c, $"; the {failed.Count:N0} failed URLs account for the rest:")
                    : string.Create(c, $"; {failed.Count:N0} URLs failed:");
        return new Reconciliation(
            $"{delivery} but {job}{tail}",
            coverage.Unaccounted == 0,
            [.. failed.Take(MaxListed)],
            Math.Max(0, failed.Count - MaxListed));
    }
}
