using System.Runtime.CompilerServices;

namespace Firecrawl.Streaming;

/// <summary>
/// Finds the pages a run missed because the server's offsets moved under it (a page that commits late lands before
/// pages already listed, so the cursor steps over it) and hands them out, each once, after the pages already yielded.
/// </summary>
/// <remarks>
/// <para>
/// A pass repairs the offsets <c>[Start, frontier)</c> of the current listing. Every walked page found at an offset tells
/// how many pages this run has not delivered sit before it (<see cref="DeliveredListing.UndeliveredBefore"/>); that
/// count only grows with the offset, so the pass bisects on it: a region whose ends agree holds nothing to repair, and
/// each missed page is found with about ⌈log2 n⌉ one-page probes (<c>limit=1</c>). It starts from the top: one probe just
/// below the frontier (more, galloping down, when pages there are missed too) gives the count for the whole range.
/// </para>
/// <para>
/// Probes are ordinary chunk reads (<see cref="ChunkSession"/>): same origin, retries and rate-limit handling as paging.
/// The requests a stream may spend on repair are bounded by <see cref="FirecrawlJobClientOptions.MaxGapRepairs"/> ×
/// (⌈log2 n⌉ + 2), n the job's size; beyond that, and when the page a resume token names is found to have moved (pages
/// were inserted before the resume point, which this run cannot check), the stream fails with
/// <see cref="JobStreamErrorCode.Incomplete"/> rather than return a partial job. When the listing changes while a pass
/// runs (what it reads stops adding up), the pass starts again from the top, within the same budget.
/// </para>
/// </remarks>
internal sealed partial class GapRepair(ApiConnection api, JobEndpoint endpoint, string jobId, JobStreamOptions options, DeliveredListing listing, Action<ChunkSession> observe)
{
    // Galloping windows grow to this many pages: large enough to cross a run of missed pages in a few requests,
    // small enough that a window of large pages stays a modest amount of memory.
    private const int MaxWindow = 32;

    // Passes that had to start again without finding a page, in a row: a listing that changes under every look-back, or
    // that lists a page at two offsets (which no insertion explains), is given up on early rather than at the budget.
    private const int MaxFruitlessRestarts = 3;

    private readonly HashSet<PageIdentity> _found = [];
    private readonly Dictionary<PageIdentity, long> _foundAt = []; // where this attempt at the pass saw each page it found
    private readonly Stack<Region> _regions = new();
    private readonly List<int> _unranked = []; // pending pages whose rank waits for the walked page above them
    private readonly Queue<ChunkPage> _ready = new();

    private Phase _phase;
    private long _frontier;       // the end (exclusive) of the range the pass repairs
    private bool _frontierIsEnd;  // nothing walked lies above the range: its top-most page becomes the run's frontier
    private bool _sawPage;        // top phase: a page was found (below it, the listing does not end)
    private long _cursor;         // top phase: the end of the next window; scan and read: the next offset
    private int _window;
    private long _undelivered;    // scan: undelivered offsets from _mid on; read: from the region's start
    private long _mid;
    private Region _current;
    private int _fruitlessRestarts;
    private int _foundAtRestart;

    private enum Phase
    {
        Top,
        Bisect,
        Scan,
        Read,
    }

    /// <summary>Gets the number of requests spent on repair by this stream.</summary>
    public long Requests { get; private set; }

    /// <summary>Gets the number of pages repair has found.</summary>
    public int Found { get; private set; }

    /// <summary>Gets or sets the job's size as last seen (for the budget).</summary>
    public long JobSize { get; set; }

    /// <summary>
    /// Repairs <c>[Start, frontier)</c>, yielding each missed page as it is found (its position is where it sits now).
    /// </summary>
    /// <param name="frontier">The end of the range: the cursor of the chunk that showed the shift, or the job's end.</param>
    /// <param name="frontierIsEnd">Whether nothing walked lies above the range (repairing at the end of the job).</param>
    /// <param name="cancellationToken">Stops the pass.</param>
    public async IAsyncEnumerable<ChunkPage> RunAsync(long frontier, bool frontierIsEnd, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _frontier = frontier;
        _frontierIsEnd = frontierIsEnd;
        _found.Clear();
        _fruitlessRestarts = 0;
        _foundAtRestart = Found;
        BeginPass();
        try
        {
            while (await StepAsync(cancellationToken).ConfigureAwait(false))
            {
                while (_ready.TryDequeue(out ChunkPage page))
                {
                    yield return page;
                }
            }

            while (_ready.TryDequeue(out ChunkPage page))
            {
                yield return page;
            }

            listing.CommitPending();
        }
        finally
        {
            // A consumer that stops mid-pass: the pages found but not handed out are released.
            while (_ready.TryDequeue(out ChunkPage left))
            {
                left.Page.Dispose();
            }
        }
    }

    private void BeginPass()
    {
        _foundAt.Clear();
        _regions.Clear();
        _unranked.Clear();
        _phase = Phase.Top;
        _sawPage = false;
        _cursor = _frontier;
        _window = 1;
    }

    /// <summary>
    /// What is read no longer adds up: the listing changed during the pass (or a response was wrong). Start again from
    /// the top. What was found stays found (it is not handed out again) but stays pending: its place among the walked
    /// pages may have been guessed from what did not add up, so the next pass, which must meet it again, settles it.
    /// </summary>
    private void Restart()
    {
        _fruitlessRestarts = Found == _foundAtRestart ? _fruitlessRestarts + 1 : 1;
        _foundAtRestart = Found;
        if (_fruitlessRestarts > MaxFruitlessRestarts)
        {
            throw Unsettled();
        }

        BeginPass();
    }

    /// <summary>One request (or none, when the work left needs none); false when the pass is done.</summary>
    private async ValueTask<bool> StepAsync(CancellationToken cancellationToken)
    {
        switch (_phase)
        {
            case Phase.Top:
                await TopStepAsync(cancellationToken).ConfigureAwait(false);
                return true;
            case Phase.Scan:
                await ScanStepAsync(cancellationToken).ConfigureAwait(false);
                return true;
            case Phase.Read:
                await ReadStepAsync(cancellationToken).ConfigureAwait(false);
                return true;
            default:
                return await BisectStepAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Gallops down from the frontier to the highest walked page below it; the pages above that are missed ones.</summary>
    private async ValueTask TopStepAsync(CancellationToken cancellationToken)
    {
        long end = _cursor;
        long start = Math.Max(listing.Start, end - _window);
        if (end <= listing.Start)
        {
            // Nothing walked in the whole range: every page in it was missed, and all are found now.
            SetRanks(0);
            _phase = Phase.Bisect;
            return;
        }

        List<ChunkPage> pages = await ReadAsync(start, (int)(end - start), cancellationToken).ConfigureAwait(false);
        try
        {
            for (long offset = end - 1; offset >= start; offset--)
            {
                int i = (int)(offset - start);
                if (i >= pages.Count)
                {
                    if (_sawPage)
                    {
                        Restart(); // a gap below a page: the listing moved while it was read
                        return;
                    }

                    continue; // the listing ends below the frontier
                }

                bool topMost = !_sawPage;
                _sawPage = true;
                ChunkPage page = pages[i]; // read before See, which may hand it out
                Seen seen = See(pages, i, offset, listing.Walked, rankFinal: false, out int j);
                if (seen is Seen.Moved)
                {
                    Restart();
                    return;
                }

                if (seen is Seen.Walked)
                {
                    long undelivered = listing.UndeliveredBefore(offset, j);
                    if (undelivered < 0)
                    {
                        Restart();
                        return;
                    }

                    SetRanks(j + 1);
                    _regions.Push(new Region(listing.Start, offset, 0, undelivered, 0, j));
                    _phase = Phase.Bisect;
                    return;
                }

                if (topMost && _frontierIsEnd)
                {
                    listing.SetFrontier(page.Id, ScrapeIdText(page));
                }
            }
        }
        finally
        {
            DisposeUnclaimed(pages);
        }

        _cursor = start;
        _window = Math.Min(_window * 2, MaxWindow);
    }

    /// <summary>Takes the next region that holds missed pages and probes its middle; false when none is left.</summary>
    private async ValueTask<bool> BisectStepAsync(CancellationToken cancellationToken)
    {
        while (_regions.TryPop(out Region region))
        {
            long missing = region.UHi - region.ULo;
            if (missing == 0)
            {
                continue;
            }

            if (missing < 0 || missing > region.Hi - region.Lo || (region.AHi > region.ALo && missing == region.Hi - region.Lo))
            {
                Restart();
                return true;
            }

            if (region.AHi == region.ALo)
            {
                // No walked page in it: read it whole, every page in it is missed or repaired already.
                (_current, _cursor, _undelivered, _phase) = (region, region.Lo, 0, Phase.Read);
                await ReadStepAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }

            long mid = region.Lo + ((region.Hi - region.Lo) / 2);
            List<ChunkPage> pages = await ReadAsync(mid, 1, cancellationToken).ConfigureAwait(false);
            try
            {
                if (pages.Count == 0)
                {
                    Restart();
                    return true;
                }

                Seen seen = See(pages, 0, mid, region.AHi, rankFinal: false, out int j);
                if (seen is Seen.Moved)
                {
                    Restart();
                    return true;
                }

                if (seen is Seen.Walked)
                {
                    long undelivered = listing.UndeliveredBefore(mid, j);
                    if (j < region.ALo || j >= region.AHi || undelivered < region.ULo || undelivered > region.UHi
                        || undelivered - region.ULo > mid - region.Lo || region.UHi - undelivered > region.Hi - mid - 1)
                    {
                        Restart();
                        return true;
                    }

                    _regions.Push(new Region(mid + 1, region.Hi, undelivered, region.UHi, j + 1, region.AHi));
                    _regions.Push(new Region(region.Lo, mid, region.ULo, undelivered, region.ALo, j));
                    return true;
                }

                // A missed (or repaired) page: scan up to the next walked page to learn how many are missed below it.
                (_current, _mid, _cursor, _window, _undelivered, _phase) = (region, mid, mid + 1, 1, seen is Seen.Undelivered ? 1 : 0, Phase.Scan);
                return true;
            }
            finally
            {
                DisposeUnclaimed(pages);
            }
        }

        return false;
    }

    /// <summary>Where one region of the listing lies and what its ends say: undelivered offsets and walked pages before each end.</summary>
    private readonly record struct Region(long Lo, long Hi, long ULo, long UHi, int ALo, int AHi);
}
