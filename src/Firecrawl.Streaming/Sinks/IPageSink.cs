namespace Firecrawl.Streaming.Sinks;

/// <summary>
/// A destination for pages: files, blobs, search indexes. The pipeline hands a sink batches of
/// pages in job order, asks it to make what it has durable at each checkpoint, and disposes it.
/// </summary>
/// <remarks>
/// Writes must be idempotent, keyed by <see cref="ScrapedPage.Key"/>: after a crash the pipeline
/// replays the pages after the last checkpoint, and a page written before the crash must not appear twice.
/// The pipeline never calls one sink's methods concurrently unless the sink's options allow parallelism.
/// </remarks>
public interface IPageSink : IAsyncDisposable
{
    /// <summary>Gets a short name for progress reports and metrics, e.g. <c>"jsonl:pages.jsonl"</c>.</summary>
    string Name { get; }

    /// <summary>Writes a batch of pages. The pages stay valid until the returned task completes.</summary>
    /// <param name="pages">The pages, in job order.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the batch is written (not necessarily durable).</returns>
    ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken = default);

    /// <summary>Makes every page written so far durable; the pipeline checkpoints only after this returns.</summary>
    /// <param name="cancellationToken">Cancels the flush.</param>
    /// <returns>A task that completes when the pages are durable.</returns>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}
