using System.Runtime.CompilerServices;

namespace Firecrawl.Streaming;

/// <summary>What each page means against what the run delivered, the resume check, and gap repair.</summary>
public sealed partial class JobPages
{
    private enum Verdict : byte
    {
        /// <summary>A page this run had not delivered: hand it out.</summary>
        Deliver,

        /// <summary>A page this run delivered already (or the resumed page): the offsets may have moved.</summary>
        Duplicate,

        /// <summary>The page the resume token names: delivered by the earlier run.</summary>
        Resumed,

        /// <summary>A page listed before the resume point, served again: delivered by an earlier run.</summary>
        BeforeResumePoint,

        /// <summary>The token's offset holds another page: to be checked with a request.</summary>
        ResumePointMoved,
    }

    private StreamRun StartRun()
    {
        var resume = ResumePoint.From(_options.ResumeAfter, Kind, JobId);
        long start = _options.StartAt;
        if (_options.ResumeAfter is not null)
        {
            // A token from inside the range resumes inside it; one from outside would deliver pages that are not the range's.
            if (resume.Skip < start - 1 || resume.Skip >= (_options.StopAt ?? long.MaxValue))
            {
                throw new JobStreamException(
                    $"The resume token names offset {resume.Skip}, outside the range [{start}, {_options.StopAt}) this stream reads.",
                    JobStreamErrorCode.InvalidResumeToken) { JobId = JobId };
            }

            start = resume.DeliveredBefore;
        }

        // Counted from the range's start: a range's coverage speaks of its own offsets.
        Interlocked.Exchange(ref _deliveredBefore, start - _options.StartAt);
        var listing = new DeliveredListing(start, resume.PageId);
        if (resume.PageId is PageIdentity resumed)
        {
            // Until this run delivers a page, resuming after one it repaired continues after the same page as now.
            listing.SetFrontier(resumed, resume.ScrapeId);
        }

        return new StreamRun(listing, new GapRepair(_api, _endpoint, JobId, _options, listing, ObserveProbe), resume) { Begin = _options.ResumeAfter is null ? start : resume.Skip };
    }

    /// <summary>Decides about one page handed out by the walk, and records a delivered one in the listing.</summary>
    private Verdict Judge(StreamRun run, in ChunkPage item)
    {
        switch (run.Resume.Inspect(item))
        {
            case ResumeCheck.ResumePage:
                return Verdict.Resumed;
            case ResumeCheck.BeforeResumePoint:
                return Verdict.BeforeResumePoint;
            case ResumeCheck.Moved:
                return Verdict.ResumePointMoved;
        }

        if (!_options.DropDuplicates)
        {
            // Every page served is wanted, repeats included: pages are not compared across chunks, so a shift is
            // neither noticed nor repaired (a retry still skips what it handed out, see HandedOutPages).
            Interlocked.Add(ref _repaired, item.IsLate ? 1 : 0);
            return Verdict.Deliver;
        }

        DeliveredListing listing = run.Listing;
        if (listing.Find(item.Id, out _) != ListingPlace.Unknown)
        {
            return Verdict.Duplicate;
        }

        if (item.Neighbor is PageIdentity neighbor)
        {
            // A retry found it among pages of its chunk handed out already: it belongs before some of them. Before the
            // resumed page, or next to a page dropped as listed before it, it was inserted before the resume point.
            ListingPlace place = listing.Find(neighbor, out _);
            if (place == ListingPlace.Unknown || (place == ListingPlace.ResumePage && item.NeighborFollows))
            {
                item.Page.Dispose();
                throw ResumePointMoved(run.Resume.Skip);
            }

            listing.AddRepaired(item.Id, listing.RankNextTo(neighbor, item.NeighborFollows));
            Interlocked.Increment(ref _repaired);
            item.Page.SetResumeToken(OutOfOrderToken(listing));
            return Verdict.Deliver;
        }

        listing.AddWalked(item.Id, ScrapeIdText(item));
        return Verdict.Deliver;
    }

    /// <summary>
    /// Another page sits at the resume token's offset. Looks again with one small request: the resumed page there now
    /// means the response repeated earlier pages (they are dropped up to the resumed page); otherwise pages were listed
    /// before the resume point since the token was written, outside this run's range, and the stream fails.
    /// </summary>
    private async ValueTask<Verdict> CheckResumePointAsync(StreamRun run, ChunkPage item, CancellationToken cancellationToken)
    {
        ResumePoint resume = run.Resume;
        bool inPlace;
        try
        {
            inPlace = await run.Repair.IsAtAsync(resume.Skip, resume.PageId!.Value, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            item.Page.Dispose();
            throw;
        }

        if (!inPlace)
        {
            item.Page.Dispose();
            throw ResumePointMoved(resume.Skip);
        }

        run.Resume.DropUntilResumePage();
        return Verdict.BeforeResumePoint;
    }

    private JobStreamException ResumePointMoved(long offset) => new(
        $"The page the resume token names is no longer at offset {offset} of {_endpoint.Noun} {JobId}: pages were listed before it since the " +
        "token was written, and this run cannot tell which of them earlier runs delivered. Stream the job again without ResumeAfter " +
        "(sinks that write by key keep one copy of each page).",
        JobStreamErrorCode.Incomplete) { JobId = JobId };

    /// <summary>One gap-repair pass over <c>[Start, frontier)</c>, delivering what it finds.</summary>
    private async IAsyncEnumerable<ScrapedPage> RepairAsync(StreamRun run, long frontier, bool frontierIsEnd, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        run.Repair.JobSize = Math.Max(Status?.Completed ?? 0, frontier);
        Log.GapRepairStarted(_api.PagingLogger, _endpoint.Noun, JobId, run.Listing.Start, frontier);
        int before = run.Repair.Found;
        await foreach (ChunkPage found in run.Repair.RunAsync(frontier, frontierIsEnd, cancellationToken).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _repaired);
            Count(found);
            found.Page.SetResumeToken(OutOfOrderToken(run.Listing));
            yield return found.Page;
        }

        Log.GapRepairFinished(_api.PagingLogger, _endpoint.Noun, JobId, run.Repair.Found - before, run.Repair.Requests);
    }

    /// <summary>
    /// At the end of a finished job: while it counts more pages than this run delivered, looks back over the whole range.
    /// A pass that finds nothing means the listing holds exactly what was delivered, and the rest of the count is the
    /// server's (it counts finished pages whose stored result is missing); <see cref="JobCoverage.Unaccounted"/> shows it.
    /// </summary>
    private async IAsyncEnumerable<ScrapedPage> RepairEndAsync(StreamRun run, long walkedTo, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (_options.DropDuplicates && Status is JobStatus status && status.Completed > run.Listing.Start + run.Listing.Count)
        {
            int before = run.Repair.Found;
            await foreach (ScrapedPage found in RepairAsync(run, Math.Max(walkedTo, status.Completed), frontierIsEnd: true, cancellationToken).ConfigureAwait(false))
            {
                yield return found;
            }

            if (run.Repair.Found == before)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// The token of a page delivered out of order: resuming after it continues after the pages delivered so far, that is
    /// after the frontier, which sits at offset <c>Start + Count - 1</c> of a listing holding exactly those pages. If
    /// pages the run had still to deliver sit before it, the resumed run finds the frontier elsewhere and fails loudly.
    /// </summary>
    private string OutOfOrderToken(DeliveredListing listing) =>
        ResumeToken.Format(Kind, JobId, listing.Start + listing.Count - 1, listing.FrontierScrapeId);

    private static string? ScrapeIdText(in ChunkPage item) =>
        item.Id.HasScrapeId && item.Id.UuidText is null ? item.Page.Metadata.ScrapeId : null;

    /// <summary>Takes in what a gap-repair request saw: the job's latest counts and the bytes.</summary>
    private void ObserveProbe(ChunkSession probe)
    {
        PublishStatus(probe.Envelope);
        Interlocked.Add(ref _bytesReceived, probe.BytesReceived);
        Interlocked.Increment(ref _repairRequests);
    }

    /// <summary>The state of one enumeration: what it delivered, its resume point and its gap repair.</summary>
    private sealed class StreamRun(DeliveredListing listing, GapRepair repair, ResumePoint resume)
    {
        public DeliveredListing Listing { get; } = listing;

        public GapRepair Repair { get; } = repair;

        public ResumePoint Resume = resume;

        /// <summary>Gets the offset of the walk's first request: the resumed page's, else the range's start.</summary>
        public long Begin { get; init; }
    }
}
