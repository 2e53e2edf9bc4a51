namespace Firecrawl.Streaming;

/// <summary>How a page relates to what a run has delivered.</summary>
internal enum ListingPlace : byte
{
    /// <summary>Not delivered.</summary>
    Unknown,

    /// <summary>Delivered by the walk (cursor after cursor), in listing order: an anchor for gap repair.</summary>
    Walked,

    /// <summary>Delivered out of order: found by gap repair, or by a retry among pages already handed out.</summary>
    Repaired,

    /// <summary>The page the run resumed after (delivered by an earlier run).</summary>
    ResumePage,
}

/// <summary>
/// What one run has delivered of a job's listing, compactly: for every page its identity and where it sits in listing
/// order. A walked page has its walk index <c>j</c> (the listing only ever grows by insertion, so walked pages stay in
/// walk order); a repaired page has its rank, the number of walked pages before it. From these, a page found at offset
/// <c>q</c> of the current listing tells how many pages the run has not delivered sit before it (see
/// <see cref="UndeliveredBefore"/>), which is what gap repair bisects on.
/// </summary>
/// <remarks>About 32 bytes per page (a dictionary entry of a 17-byte identity and an int), what de-duplication kept before.</remarks>
internal sealed class DeliveredListing(long start, PageIdentity? resumePage)
{
    private const int ResumeValue = -1;

    private readonly Dictionary<PageIdentity, int> _places = resumePage is PageIdentity id ? new() { [id] = ResumeValue } : [];
    private readonly List<int> _ranks = [];                 // ranks of committed repaired pages, sorted
    private readonly List<(PageIdentity Id, int Rank)> _pending = []; // found by the gap-repair pass in progress

    /// <summary>Gets the offset of the first page of this run's range (0, or the position after the resume page).</summary>
    public long Start { get; } = start;

    /// <summary>Gets the number of walked pages.</summary>
    public int Walked { get; private set; }

    /// <summary>
    /// Gets the number of offsets of this run's range accounted for: every distinct page delivered, and every offset that
    /// repeats one (<see cref="AddRepeat"/>). Once nothing is missed, the offset after the last of them is <c>Start + Count</c>.
    /// </summary>
    public int Count => Walked + _ranks.Count + _pending.Count;

    /// <summary>Gets the page with the highest place in listing order delivered so far (what a resume continues after).</summary>
    public PageIdentity? Frontier { get; private set; }

    /// <summary>Gets the frontier's scrape id as a resume token writes it (null when it has none).</summary>
    public string? FrontierScrapeId { get; private set; }

    /// <summary>Where a page stands; <paramref name="index"/> is the walk index of a walked page and the rank of a repaired one.</summary>
    public ListingPlace Find(PageIdentity id, out int index)
    {
        index = 0;
        if (!_places.TryGetValue(id, out int value))
        {
            return ListingPlace.Unknown;
        }

        if (value == ResumeValue)
        {
            index = -1;
            return ListingPlace.ResumePage;
        }

        index = value >= 0 ? value : -2 - value;
        return value >= 0 ? ListingPlace.Walked : ListingPlace.Repaired;
    }

    /// <summary>Records a page delivered by the walk; it becomes the frontier.</summary>
    public void AddWalked(PageIdentity id, string? scrapeIdText)
    {
        _places[id] = Walked++;
        SetFrontier(id, scrapeIdText);
    }

    /// <summary>
    /// Records an offset that lists, again, a page delivered already, within one response: the listing holds that page
    /// twice (no insertion can repeat a page inside one consistent response). It counts as an offset, so that offsets
    /// behind it still add up, but not as a page.
    /// </summary>
    public void AddRepeat() => _ranks.Insert(UpperBound(Walked), Walked);

    /// <summary>Records a page delivered out of order (committed at once: not part of a gap-repair pass).</summary>
    public void AddRepaired(PageIdentity id, int rank)
    {
        _places[id] = -2 - rank;
        _ranks.Insert(UpperBound(rank), rank);
    }

    /// <summary>Records a page the gap-repair pass in progress found; its rank may still be refined (<see cref="SetPendingRank"/>).</summary>
    public int AddPending(PageIdentity id, int rank)
    {
        _places[id] = -2 - rank;
        _pending.Add((id, rank));
        return _pending.Count - 1;
    }

    /// <summary>The index of a pending page (one of the few found by the pass in progress).</summary>
    public int PendingIndexOf(PageIdentity id) => _pending.FindIndex(p => p.Id == id);

    /// <summary>Sets the rank of a pending page once the walked page after it is known.</summary>
    public void SetPendingRank(int pendingIndex, int rank)
    {
        PageIdentity id = _pending[pendingIndex].Id;
        _pending[pendingIndex] = (id, rank);
        _places[id] = -2 - rank;
    }

    /// <summary>Ends a gap-repair pass: its pages count from now on like every other repaired page.</summary>
    public void CommitPending()
    {
        foreach ((_, int rank) in _pending)
        {
            _ranks.Insert(UpperBound(rank), rank);
        }

        _pending.Clear();
    }

    /// <summary>Makes a repaired page the frontier (it came after every walked page).</summary>
    public void SetFrontier(PageIdentity id, string? scrapeIdText)
    {
        Frontier = id;
        FrontierScrapeId = scrapeIdText ?? id.UuidText;
    }

    /// <summary>The place in this run's delivered listing (0 = first) of walked page <paramref name="j"/>, counting committed repaired pages.</summary>
    public long PlaceOf(int j) => j + UpperBound(j);

    /// <summary>
    /// How many offsets before <paramref name="offset"/> (from <see cref="Start"/>) hold pages this run has not delivered
    /// (or delivered in the pass in progress), given that walked page <paramref name="j"/> sits at <paramref name="offset"/>.
    /// </summary>
    public long UndeliveredBefore(long offset, int j) => offset - Start - PlaceOf(j);

    /// <summary>The rank of a page that sits right after (or right before) the page <paramref name="neighbor"/>.</summary>
    public int RankNextTo(PageIdentity neighbor, bool neighborFollows)
    {
        ListingPlace place = Find(neighbor, out int index);
        return place switch
        {
            ListingPlace.Walked => neighborFollows ? index : index + 1,
            ListingPlace.Repaired => index,
            _ => 0, // the resume page, or a page never delivered: before every walked page of this run
        };
    }

    /// <summary>The number of committed ranks at most <paramref name="rank"/>.</summary>
    private int UpperBound(int rank)
    {
        int lo = 0;
        int hi = _ranks.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_ranks[mid] <= rank)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
