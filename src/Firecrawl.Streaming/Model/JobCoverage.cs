namespace Firecrawl.Streaming;

/// <summary>
/// What a run accounted for of a job's pages: every page the job reports <c>completed</c> was delivered (before a
/// resume or in this run), or is listed by the job's errors endpoint as failed or blocked by robots.txt; whatever is
/// left is <see cref="Unaccounted"/>. A snapshot: the stream's <see cref="IJobStatusSource.Coverage"/> changes as pages arrive.
/// </summary>
public sealed record JobCoverage
{
    /// <summary>Gets the kind of job.</summary>
    public required JobKind Kind { get; init; }

    /// <summary>Gets the job id.</summary>
    public required string JobId { get; init; }

    /// <summary>Gets the job's latest status, or <see langword="null"/> before the first response.</summary>
    public JobStatus? Status { get; init; }

    /// <summary>Gets the number of pages a resumed stream started after (delivered by earlier runs).</summary>
    public long DeliveredBefore { get; init; }

    /// <summary>Gets the number of distinct pages this stream delivered, repaired ones included.</summary>
    public long Delivered { get; init; }

    /// <summary>Gets the number of pages the server served again and the stream dropped.</summary>
    public long DuplicatesDropped { get; init; }

    /// <summary>Gets the number of pages the stream found by looking back after the server's offsets shifted (included in <see cref="Delivered"/>).</summary>
    public long Repaired { get; init; }

    /// <summary>Gets the number of pages whose invalid UTF-8 was replaced with U+FFFD before any sink saw them.</summary>
    public long Utf8Repaired { get; init; }

    /// <summary>Gets the number of pages a sink set aside in its dead-letter file instead of storing (counted once however many sinks did).</summary>
    public long DeadLettered { get; init; }

    /// <summary>Gets the response body bytes received.</summary>
    public long BytesReceived { get; init; }

    /// <summary>Gets the number of chunk responses read.</summary>
    public long ChunksReceived { get; init; }

    /// <summary>Gets the job's failed scrapes and robots-blocked URLs, when they were read (when the counts did not match).</summary>
    public JobErrors? Errors { get; init; }

    /// <summary>Gets the number of scrapes the errors endpoint lists as failed (0 when it was not read).</summary>
    public long Failed => Errors?.Errors.Count ?? 0;

    /// <summary>Gets the number of URLs the errors endpoint lists as blocked by robots.txt (0 when it was not read).</summary>
    public long RobotsBlocked => Errors?.RobotsBlocked.Count ?? 0;

    /// <summary>Gets every page delivered, by this run or before its resume point.</summary>
    public long TotalDelivered => DeliveredBefore + Delivered;

    /// <summary>
    /// Gets how many of the pages the job reports <c>completed</c> were neither delivered nor listed as failed or
    /// robots-blocked. Anything but 0 on a finished job means pages are missing.
    /// </summary>
    public long Unaccounted => Status is null ? 0 : Math.Max(0, Status.Completed - TotalDelivered - Failed - RobotsBlocked);

    /// <summary>Gets a value indicating whether the job has finished and every page it reports is accounted for.</summary>
    public bool IsComplete => Status is { IsTerminal: true } && Unaccounted == 0;
}
