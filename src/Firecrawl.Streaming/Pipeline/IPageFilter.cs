namespace Firecrawl.Streaming.Pipeline;

/// <summary>
/// Decides, a batch at a time, which pages a pipeline hands to its sinks (see <see cref="PipelineOptions.PageFilter"/>):
/// for example pages that several streams of one job may each read, and that must reach the sinks once.
/// </summary>
/// <remarks>
/// Pages are offered in read order, in batches of at most <see cref="BatchSize"/>; a batch is also offered early when
/// the stream is waiting for the network, so that no page waits on the next response. A page left out is released and
/// never reaches a sink nor the checkpoint, so a run resumed from the checkpoint offers it again: a filter must give the
/// same answer the second time.
/// </remarks>
public interface IPageFilter
{
    /// <summary>Gets the most pages offered in one call (at least 1).</summary>
    int BatchSize { get; }

    /// <summary>Decides for each page whether it goes to the sinks.</summary>
    /// <param name="pages">The pages, in read order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One answer per page, in the same order: true to keep it.</returns>
    ValueTask<IReadOnlyList<bool>> KeepAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken);
}
