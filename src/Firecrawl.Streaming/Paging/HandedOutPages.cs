namespace Firecrawl.Streaming;

/// <summary>
/// The pages of one chunk already handed out, by identity, so that the attempt after a failure skips exactly those and
/// hands out the rest. Counting them instead loses a page whenever the server's offsets moved between the attempts (a
/// page that committed late now sits among the first ones, and skipping by count skips it).
/// </summary>
internal struct HandedOutPages
{
    private List<PageIdentity>? _handed;           // in the order handed out, across attempts
    private Dictionary<PageIdentity, int>? _unmet; // this attempt: handed-out pages not met again yet (a multiset)
    private int _unmetCount;
    private PageIdentity? _previous;               // the page met last in this attempt

    /// <summary>Gets the number of pages handed out across attempts.</summary>
    public readonly int Count => _handed?.Count ?? 0;

    /// <summary>Starts another attempt at the chunk: every page handed out so far is expected again.</summary>
    public void BeginAttempt()
    {
        _previous = null;
        _unmetCount = 0;
        _unmet?.Clear();
        if (_handed is not { Count: > 0 })
        {
            return;
        }

        _unmet ??= [];
        foreach (PageIdentity id in _handed)
        {
            _unmet[id] = _unmet.GetValueOrDefault(id) + 1;
            _unmetCount++;
        }
    }

    /// <summary>
    /// Decides about the next page of this attempt: false when it was handed out already (skip it); true when it is
    /// new, with <paramref name="late"/> set when pages handed out earlier are still to come after it in this attempt
    /// (the page belongs before them) and <paramref name="neighbor"/> naming the page next to it.
    /// </summary>
    public bool Meet(PageIdentity id, out bool late, out PageIdentity neighbor, out bool neighborFollows)
    {
        late = false;
        neighbor = default;
        neighborFollows = false;
        if (_unmet is not null && _unmet.TryGetValue(id, out int unmet) && unmet > 0)
        {
            _unmet[id] = unmet - 1;
            _unmetCount--;
            _previous = id;
            return false;
        }

        if (_unmetCount > 0)
        {
            late = true;

            // Before any page met again, it precedes all the chunk's pages: the first one handed out follows it.
            (neighbor, neighborFollows) = _previous is PageIdentity previous ? (previous, false) : (_handed![0], true);
        }

        (_handed ??= []).Add(id);
        _previous = id;
        return true;
    }
}
