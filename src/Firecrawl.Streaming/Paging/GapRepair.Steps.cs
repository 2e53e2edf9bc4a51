namespace Firecrawl.Streaming;

/// <summary>Gap repair's scans and reads, what each page it reads means, and its budget.</summary>
internal sealed partial class GapRepair
{
    private enum Seen
    {
        /// <summary>A walked page: an anchor.</summary>
        Walked,

        /// <summary>A page repaired by an earlier pass (counted by the listing already).</summary>
        Delivered,

        /// <summary>A page this run had not delivered before this pass (found now, or by this pass earlier).</summary>
        Undelivered,

        /// <summary>A page this pass found, now at another offset: the listing moved (or the response is wrong).</summary>
        Moved,
    }

    /// <summary>
    /// Scans up from a missed page at the middle of a region to the next walked page: the pages on the way are missed
    /// (or repaired) ones, and the walked page says how many missed pages the lower half holds.
    /// </summary>
    private async ValueTask ScanStepAsync(CancellationToken cancellationToken)
    {
        Region region = _current;
        if (_cursor >= region.Hi)
        {
            // No walked page between the middle and the region's end.
            SetRanks(region.AHi);
            PushLower(region, region.UHi - _undelivered, region.AHi);
            return;
        }

        int count = (int)Math.Min(Math.Min(_window, MaxWindow), region.Hi - _cursor);
        List<ChunkPage> pages = await ReadAsync(_cursor, count, cancellationToken).ConfigureAwait(false);
        try
        {
            for (int i = 0; i < count; i++)
            {
                long offset = _cursor + i;
                if (i >= pages.Count)
                {
                    Restart(); // the listing ends where a walked page should still follow
                    return;
                }

                Seen seen = See(pages, i, offset, region.AHi, rankFinal: false, out int j);
                if (seen is Seen.Moved)
                {
                    Restart();
                    return;
                }

                if (seen is Seen.Undelivered)
                {
                    _undelivered++;
                }
                else if (j >= 0)
                {
                    long undelivered = listing.UndeliveredBefore(offset, j);
                    if (j < region.ALo || j >= region.AHi || undelivered > region.UHi)
                    {
                        Restart();
                        return;
                    }

                    SetRanks(j);
                    _regions.Push(new Region(offset + 1, region.Hi, undelivered, region.UHi, j + 1, region.AHi));
                    PushLower(region, undelivered - _undelivered, j);
                    return;
                }
            }
        }
        finally
        {
            DisposeUnclaimed(pages);
        }

        _cursor += count;
        _window = Math.Min(_window * 2, MaxWindow);
    }

    /// <summary>The region below the scanned middle, its top count derived from what the scan found; or a restart when it does not add up.</summary>
    private void PushLower(Region region, long undeliveredAtMid, int walkedBeforeMid)
    {
        if (undeliveredAtMid < region.ULo || undeliveredAtMid - region.ULo > _mid - region.Lo)
        {
            Restart();
            return;
        }

        _regions.Push(new Region(region.Lo, _mid, region.ULo, undeliveredAtMid, region.ALo, walkedBeforeMid));
        _phase = Phase.Bisect;
    }

    /// <summary>Reads a region without walked pages, a window at a time: every page in it not delivered yet is a missed one.</summary>
    private async ValueTask ReadStepAsync(CancellationToken cancellationToken)
    {
        Region region = _current;
        if (_cursor >= region.Hi)
        {
            if (_undelivered != region.UHi - region.ULo)
            {
                Restart();
                return;
            }

            _phase = Phase.Bisect;
            return;
        }

        int count = (int)Math.Min(MaxWindow, region.Hi - _cursor);
        List<ChunkPage> pages = await ReadAsync(_cursor, count, cancellationToken).ConfigureAwait(false);
        try
        {
            for (int i = 0; i < count; i++)
            {
                // An offset without a page (a finished page whose stored result is missing) is not delivered either.
                Seen seen = i < pages.Count ? See(pages, i, _cursor + i, region.ALo, rankFinal: true, out _) : Seen.Undelivered;
                if (seen is Seen.Walked or Seen.Moved)
                {
                    Restart();
                    return;
                }

                _undelivered += seen is Seen.Undelivered ? 1 : 0;
            }
        }
        finally
        {
            DisposeUnclaimed(pages);
        }

        _cursor += count;
    }

    /// <summary>
    /// What the page read at <paramref name="offset"/> means; a page never delivered is handed out here (taken out of
    /// <paramref name="pages"/>). <paramref name="j"/> is the walk index of a walked page, -1 otherwise.
    /// </summary>
    private Seen See(List<ChunkPage> pages, int i, long offset, int rank, bool rankFinal, out int j)
    {
        ChunkPage page = pages[i];
        j = -1;
        switch (listing.Find(page.Id, out int index))
        {
            case ListingPlace.Walked:
                j = index;
                return Seen.Walked;
            case ListingPlace.ResumePage:
                throw ResumePointMoved(offset);
            case ListingPlace.Repaired when !_found.Contains(page.Id):
                return Seen.Delivered;
            case ListingPlace.Repaired:
                // Found by this pass, or by one that had to start again: its rank is settled (again) here, unless this
                // attempt saw it elsewhere, which no insertion explains within one attempt.
                if (_foundAt.TryGetValue(page.Id, out long seenAt) && seenAt != offset)
                {
                    return Seen.Moved;
                }

                _foundAt[page.Id] = offset;
                Rank(listing.PendingIndexOf(page.Id), rank, rankFinal);
                return Seen.Undelivered;
        }

        Rank(listing.AddPending(page.Id, rank), rank, rankFinal);
        _foundAt[page.Id] = offset;

        _found.Add(page.Id);
        _ready.Enqueue(page);
        pages[i] = default;
        Found++;
        return Seen.Undelivered;
    }

    /// <summary>Whether the page at <paramref name="offset"/> is <paramref name="id"/> (one small request).</summary>
    public async Task<bool> IsAtAsync(long offset, PageIdentity id, CancellationToken cancellationToken)
    {
        List<ChunkPage> pages = await ReadAsync(offset, 1, cancellationToken).ConfigureAwait(false);
        bool found = pages.Count > 0 && pages[0].Id == id;
        DisposeUnclaimed(pages);
        return found;
    }

    private void Rank(int pending, int rank, bool rankFinal)
    {
        if (rankFinal)
        {
            listing.SetPendingRank(pending, rank);
        }
        else
        {
            _unranked.Add(pending);
        }
    }

    /// <summary>Gives the pages found since the last anchor their rank: the number of walked pages before them.</summary>
    private void SetRanks(int rank)
    {
        foreach (int pending in _unranked)
        {
            listing.SetPendingRank(pending, rank);
        }

        _unranked.Clear();
    }

    /// <summary>
    /// Reads <paramref name="count"/> pages from <paramref name="skip"/>: one request, more only when the server cuts a
    /// response short of the limit (its 10 MiB cap) while saying there is more. Fewer pages come back where the listing ends.
    /// </summary>
    private async Task<List<ChunkPage>> ReadAsync(long skip, int count, CancellationToken cancellationToken)
    {
        var pages = new List<ChunkPage>(count);
        while (pages.Count < count)
        {
            long budget = Budget();
            if (Requests >= budget)
            {
                DisposeUnclaimed(pages);
                throw BudgetExhausted(budget);
            }

            Requests++;
            await using var probe = new ChunkSession(api, endpoint, jobId, skip + pages.Count, count - pages.Count, options);
            int before = pages.Count;
            try
            {
                while (await probe.ReadBatchAsync(pages, cancellationToken).ConfigureAwait(false))
                {
                }
            }
            catch
            {
                DisposeUnclaimed(pages);
                throw;
            }

            observe(probe);
            if (pages.Count == before || probe.Envelope.Next is null)
            {
                break;
            }
        }

        return pages;
    }

    private static void DisposeUnclaimed(List<ChunkPage> pages)
    {
        foreach (ChunkPage page in pages)
        {
            page.Page?.Dispose();
        }

        pages.Clear();
    }

    private static string? ScrapeIdText(ChunkPage page) =>
        page.Id.HasScrapeId && page.Id.UuidText is null ? page.Page.Metadata.ScrapeId : null;

    /// <summary>At most <see cref="FirecrawlJobClientOptions.MaxGapRepairs"/> × (⌈log2 n⌉ + 2) requests per stream.</summary>
    private long Budget()
    {
        long n = Math.Max(JobSize, listing.Start + listing.Count);
        return api.Options.MaxGapRepairs * (64L - long.LeadingZeroCount(n) + 2);
    }

    private JobStreamException BudgetExhausted(long budget) => new(
        $"The {endpoint.Noun} {jobId} kept moving its offsets: its listing was still not consistent after {Requests} look-back requests " +
        $"(FirecrawlJobClientOptions.MaxGapRepairs × (⌈log2 n⌉ + 2) = {budget}), so pages may be missing. Stream it again, or raise MaxGapRepairs.",
        JobStreamErrorCode.Incomplete) { JobId = jobId };

    private JobStreamException Unsettled() => new(
        $"The listing of {endpoint.Noun} {jobId} did not add up {MaxFruitlessRestarts + 1} times in a row while looking back for pages its moving " +
        "offsets hid: it changes under every look-back, or lists a page at more than one offset. Pages may be missing; stream it again.",
        JobStreamErrorCode.Incomplete) { JobId = jobId };

    private JobStreamException ResumePointMoved(long offset) => new(
        $"The page the resume token names is now at offset {offset} of {endpoint.Noun} {jobId}, after pages that were listed before it since the " +
        "token was written; this run cannot tell which of them earlier runs delivered. Stream the job again without ResumeAfter " +
        "(sinks that write by key keep one copy of each page).",
        JobStreamErrorCode.Incomplete) { JobId = jobId };
}
