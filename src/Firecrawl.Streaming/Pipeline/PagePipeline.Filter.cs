using System.Runtime.CompilerServices;

namespace Firecrawl.Streaming.Pipeline;

/// <summary>The page filter: pages offered in batches, those left out released before any sink sees them.</summary>
internal sealed partial class PagePipeline
{
    private long _filteredOut;

    /// <summary>Gets the number of pages the <see cref="PipelineOptions.PageFilter"/> left out.</summary>
    public long FilteredOut => Interlocked.Read(ref _filteredOut);

    private async IAsyncEnumerable<ScrapedPage> FilterAsync(IPageFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new List<ScrapedPage>(Math.Min(filter.BatchSize, 1024));
        int handed = 0; // pages of the batch handed on (yielded or released): no longer ours
        IAsyncEnumerator<ScrapedPage> pages = _source.GetAsyncEnumerator(cancellationToken);
        try
        {
            bool more = true;
            while (more || batch.Count > 0)
            {
                ValueTask<bool> next = more ? pages.MoveNextAsync() : ValueTask.FromResult(false);

                // A full batch, the end, or the stream waiting on the network: decide about what arrived rather than hold it.
                if (batch.Count >= filter.BatchSize || (batch.Count > 0 && (!more || !next.IsCompleted)))
                {
                    IReadOnlyList<bool> keep = await KeepAsync(filter, batch, cancellationToken).ConfigureAwait(false);
                    while (handed < batch.Count)
                    {
                        ScrapedPage page = batch[handed];
                        if (keep[handed++])
                        {
                            yield return page;
                        }
                        else
                        {
                            Drop(page);
                        }
                    }

                    batch.Clear();
                    handed = 0;
                }

                if (more && (more = await next.ConfigureAwait(false)))
                {
                    batch.Add(pages.Current);
                }
            }
        }
        finally
        {
            // Pages read but not handed on (an error, or reading stopped): ours to release.
            for (int i = handed; i < batch.Count; i++)
            {
                Release(batch[i]);
            }

            await pages.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async ValueTask<IReadOnlyList<bool>> KeepAsync(IPageFilter filter, List<ScrapedPage> batch, CancellationToken cancellationToken)
    {
        IReadOnlyList<bool> keep = await filter.KeepAsync(batch, cancellationToken).ConfigureAwait(false);
        if (keep is null || keep.Count != batch.Count)
        {
            throw new InvalidOperationException($"The page filter answered for {keep?.Count ?? 0} pages of a batch of {batch.Count}.");
        }

        return keep;
    }

    private void Drop(ScrapedPage page)
    {
        Interlocked.Increment(ref _filteredOut);
        Release(page);
    }

    private void Release(ScrapedPage page)
    {
        if (OwnsPages)
        {
            page.Dispose();
        }
    }
}
