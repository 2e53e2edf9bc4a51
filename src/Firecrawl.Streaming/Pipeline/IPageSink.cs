namespace Firecrawl.Streaming.Pipeline;

/// <summary>
/// A destination for pages: files, blobs, search indexes. The pipeline hands a sink batches of
/// pages in job order, asks it to make what it has durable at each checkpoint, and disposes it.
/// </summary>
/// <remarks>
/// <para>Writes must be idempotent, keyed by <see cref="ScrapedPage.Key"/>: after a crash the pipeline
/// replays the pages after the last checkpoint, and a failed batch is written again whole, or page by page to find
/// the page that fails it (<c>SinkOptions.DeadLetter</c>); part of it may have been stored before the failure, so a
/// page written before must not appear twice. Two different pages (different keys) must stay two entries, even when
/// their URL or their bytes are equal.</para>
/// <para>The pipeline never calls one sink's methods concurrently unless the sink's options allow parallelism
/// (<c>SinkOptions.MaxDegreeOfParallelism</c>), and even then never calls <see cref="FlushAsync"/> while a
/// <see cref="WriteAsync"/> is running. It checkpoints a page only after every sink's <see cref="FlushAsync"/>
/// has returned with that page, and every page before it, written.</para>
/// <para>When the run fails or is cancelled, the pipeline still calls <see cref="FlushAsync"/> once for what the
/// sink wrote, even after one of its writes failed; a sink must then make durable the pages of its writes that
/// succeeded.</para>
/// <para>The pipeline owns the sinks it is given and disposes each one when the run ends, however it ends.
/// See <c>DelegatePageSink</c> for how short a sink can be.</para>
/// </remarks>
public interface IPageSink : IAsyncDisposable
{
    /// <summary>Gets a short name for progress reports and metrics, e.g. <c>"jsonl:pages.jsonl"</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Writes a batch of pages. The pages stay valid until the returned task completes: the pipeline then releases them
    /// (their pooled buffers go back to the pool). A sink that keeps a page longer calls <see cref="ScrapedPage.Retain"/>
    /// on it and disposes it when done, or copies what it needs.
    /// </summary>
    /// <param name="pages">The pages, in job order.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the batch is written (not necessarily durable).</returns>
    ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken = default);

    /// <summary>Makes every page written so far durable; the pipeline checkpoints only after this returns.</summary>
    /// <param name="cancellationToken">Cancels the flush.</param>
    /// <returns>A task that completes when the pages are durable.</returns>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}
