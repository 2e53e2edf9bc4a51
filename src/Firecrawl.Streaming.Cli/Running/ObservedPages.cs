namespace Firecrawl.Streaming.Cli.Running;

/// <summary>
/// Passes a job's pages through while noting how many went by and the positions of the first and last,
/// which the summary needs to reconcile what was delivered, across resumed runs, with the job's counts.
/// </summary>
internal sealed class ObservedPages(BatchJobPages pages) : IAsyncEnumerable<ScrapedPage>
{
    private long _count;
    private long _first = -1;
    private long _last = -1;

    public BatchJobPages Source { get; } = pages;

    /// <summary>Gets the number of pages delivered so far in this run.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Gets the job position of the first page of this run, or -1 before it.</summary>
    public long FirstPosition => Interlocked.Read(ref _first);

    /// <summary>Gets the job position of the latest page of this run, or -1 before the first.</summary>
    public long LastPosition => Interlocked.Read(ref _last);

    public async IAsyncEnumerator<ScrapedPage> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        await foreach (ScrapedPage page in Source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            Interlocked.CompareExchange(ref _first, page.Position, -1);
            Interlocked.Exchange(ref _last, page.Position);
            Interlocked.Increment(ref _count);
            yield return page;
        }
    }
}
