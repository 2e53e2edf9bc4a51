namespace Firecrawl.Streaming.Webhooks;

/// <summary>
/// Hybrid completion: reads a job from its status endpoint with the ordinary stream (paging, retries, gap repair,
/// polling while it still runs) and hands on only the pages no webhook delivered, recognised by identity.
/// </summary>
internal static class JobReconciler
{
    /// <summary>Pulls the job; <paramref name="deliver"/> gets each page not in <paramref name="pushedKeys"/>.</summary>
    /// <returns>How many pages were pulled, and the stream's coverage with the errors endpoint read when pages are missing.</returns>
    public static async Task<(long Pulled, JobCoverage Coverage)> PullAsync(
        FirecrawlJobClient client,
        JobKind kind,
        string jobId,
        IReadOnlySet<string> pushedKeys,
        Func<ScrapedPage, CancellationToken, ValueTask> deliver,
        CancellationToken cancellationToken)
    {
        long pulled = 0;
        JobPages pages = client.StreamJobAsync(kind, jobId, new JobStreamOptions(), cancellationToken);
        await foreach (ScrapedPage page in pages.ConfigureAwait(false))
        {
            if (pushedKeys.Contains(page.Key))
            {
                continue;
            }

            await deliver(page, cancellationToken).ConfigureAwait(false);
            pulled++;
        }

        JobCoverage coverage = pages.Coverage;
        long delivered = pushedKeys.Count + pulled;
        if (coverage.Status is { IsTerminal: true } status && status.Completed > delivered)
        {
            // As for pull streaming: pages the errors endpoint lists as failed or robots-blocked are accounted for.
            try
            {
                coverage = coverage with { Errors = await client.GetErrorsAsync(kind, jobId, cancellationToken).ConfigureAwait(false) };
            }
            catch (JobStreamException)
            {
                // Unreadable errors leave the pages unaccounted, which says enough.
            }
        }

        return (pulled, coverage);
    }
}
