namespace Firecrawl.Streaming;

/// <summary>The job's state as of the latest response: what <c>GET /v2/batch/scrape/{id}</c> reports besides the pages.</summary>
/// <param name="Status">The job status: <c>scraping</c>, <c>completed</c>, <c>failed</c> or <c>cancelled</c>.</param>
/// <param name="Total">The number of pages the job has attempted (it can grow and shrink).</param>
/// <param name="Completed">The number of pages scraped successfully.</param>
/// <param name="CreditsUsed">Credits used so far (-1 when the server has no billing record yet).</param>
/// <param name="ExpiresAt">When the job's results expire (slides with activity).</param>
public sealed record JobStatus(string Status, long Total, long Completed, long CreditsUsed, DateTimeOffset? ExpiresAt)
{
    /// <summary>Gets a value indicating whether the job has finished (completed, failed or cancelled).</summary>
    public bool IsTerminal => Status is "completed" or "failed" or "cancelled";

    /// <summary>Gets the server's warning, if it sent one.</summary>
    public string? Warning { get; init; }

    /// <summary>Gets when the job was started (<c>createdAt</c>), when the server says.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Gets when the job finished (<c>completedAt</c>); sent only once it is completed, failed or cancelled.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>
    /// Gets how long the job has run (<c>duration</c>, sent in seconds): from <see cref="CreatedAt"/> to
    /// <see cref="CompletedAt"/> once finished, to the time of the response while it runs.
    /// </summary>
    public TimeSpan? Duration { get; init; }
}
