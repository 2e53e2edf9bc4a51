namespace Firecrawl.Streaming.Webhooks;

/// <summary>Why a job was reconciled with its status endpoint.</summary>
public enum ReconcileTrigger
{
    /// <summary>Its <c>completed</c> event arrived.</summary>
    Completed,

    /// <summary>No event arrived for the quiet period (batch scrapes send no failure or cancel event).</summary>
    QuietPeriod,
}

/// <summary>
/// A webhook job's coverage once it was reconciled: the pages pushed, the pages pulled from the status endpoint to fill
/// the gaps, the failed ones, and what is still unaccounted for.
/// </summary>
public sealed record WebhookJobReport
{
    /// <summary>Gets the kind of job.</summary>
    public required JobKind Kind { get; init; }

    /// <summary>Gets the job id.</summary>
    public required string JobId { get; init; }

    /// <summary>Gets why the job was reconciled.</summary>
    public ReconcileTrigger Trigger { get; init; }

    /// <summary>Gets the distinct pages that arrived by webhook.</summary>
    public long Pushed { get; init; }

    /// <summary>Gets the pages the status endpoint listed that no webhook had delivered: pulled and handed to the sinks.</summary>
    public long Pulled { get; init; }

    /// <summary>Gets the deliveries dropped as repeats (same <c>webhookId</c>, or the same page under a new one).</summary>
    public long DuplicatesDropped { get; init; }

    /// <summary>Gets the URLs of the failed-page events (<c>success: false</c>).</summary>
    public IReadOnlyList<string> FailedPages { get; init; } = [];

    /// <summary>
    /// Gets what the pull saw: the job's final status and, when pushed and pulled pages fall short of its <c>completed</c>
    /// count, its errors endpoint's failed and robots-blocked URLs. Null when the job could not be pulled (no client, or
    /// <see cref="Error"/>).
    /// </summary>
    public JobCoverage? Coverage { get; init; }

    /// <summary>Gets why the pull failed, or null.</summary>
    public Exception? Error { get; init; }

    /// <summary>Gets the job's final status from the pull, or null.</summary>
    public JobStatus? Status => Coverage?.Status;

    /// <summary>Gets every page delivered to the sinks: pushed and pulled.</summary>
    public long Delivered => Pushed + Pulled;

    /// <summary>
    /// Gets how many of the pages the job reports <c>completed</c> were neither delivered nor listed as failed or
    /// robots-blocked; 0 when the job could not be pulled (see <see cref="IsComplete"/>).
    /// </summary>
    public long Unaccounted => Coverage is { Status: { } status } coverage
        ? Math.Max(0, status.Completed - Delivered - coverage.Failed - coverage.RobotsBlocked)
        : 0;

    /// <summary>Gets whether the job was pulled to its end and every page it reports is accounted for.</summary>
    public bool IsComplete => Error is null && Coverage is { Status.IsTerminal: true } && Unaccounted == 0;
}
