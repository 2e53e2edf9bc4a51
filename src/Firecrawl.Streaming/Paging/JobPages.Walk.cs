using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Firecrawl.Streaming;

/// <summary>The walk: chunk after chunk through the job's cursors, with prefetch, polling and the cursor rules.</summary>
public sealed partial class JobPages
{
    private async IAsyncEnumerable<ScrapedPage> EnumerateAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken, cancellationToken);
        CancellationToken token = linked.Token;
        FirecrawlJobClientOptions options = _api.Options;
        TimeProvider time = options.TimeProvider;
        StreamRun run = StartRun();
        long skip = run.Begin;
        long stopAt = _options.StopAt ?? long.MaxValue;
        using Activity? span = StartStreamSpan(run);
        bool completed = false;
        var pages = new List<ChunkPage>();
        var progress = new StallWatch(time, options.JobStallTimeout);

        var ranges = new RangeScheduler(_api, _endpoint, JobId, _options) { Parent = span };
        Ranges = ranges;
        try
        {
            while (true)
            {
                ChunkSession chunk = await ranges.TakeAsync(skip).ConfigureAwait(false);
                int delivered = 0;
                bool repairedHere = false;
                bool newHere = false;
                try
                {
                    while (await chunk.ReadBatchAsync(pages, token).ConfigureAwait(false))
                    {
                        PublishStatus(chunk.Envelope);

                        // As the job's completed count, the page size and this chunk's next cursor arrive (in any key
                        // order), the chunk after this one and ranges after it are requested, to download while this one
                        // is parsed and consumed.
                        ranges.Plan(chunk, token);

                        for (int i = 0; i < pages.Count; i++)
                        {
                            ChunkPage item = pages[i];
                            pages[i] = default;
                            if (item.Page.Position >= stopAt)
                            {
                                // Past the range (a server that ignored the limit): another range's page.
                                item.Page.Dispose();
                                continue;
                            }

                            Verdict verdict = Judge(run, item);
                            if (verdict == Verdict.ResumePointMoved)
                            {
                                verdict = await CheckResumePointAsync(run, item, token).ConfigureAwait(false);
                            }

                            if (verdict == Verdict.Deliver)
                            {
                                newHere = true;
                                delivered++;
                                Count(item);
                                yield return item.Page;
                                continue;
                            }

                            // Not wanted: the resumed page, a page listed before the resume point, or (only when duplicates
                            // are dropped, see Judge) a page delivered already.
                            item.Page.Dispose();
                            if (verdict == Verdict.Resumed)
                            {
                                continue;
                            }

                            Interlocked.Increment(ref _duplicates);

                            // A page delivered already is back at the start of a chunk (or, after a retry, among pages of
                            // the chunk handed out before): the offsets may have moved under the cursor. Look back once per
                            // chunk, before anything after it is delivered, so that no page goes out ahead of a gap. After
                            // new pages of the same response it is a page the listing holds twice: no shift does that.
                            if (verdict == Verdict.Duplicate && newHere && !item.IsLate)
                            {
                                run.Listing.AddRepeat();
                            }
                            else if (verdict == Verdict.Duplicate && !repairedHere)
                            {
                                repairedHere = true;
                                await foreach (ScrapedPage found in RepairAsync(run, chunk.Skip, frontierIsEnd: false, token).ConfigureAwait(false))
                                {
                                    delivered++;
                                    yield return found;
                                }
                            }
                        }

                        pages.Clear();
                    }
                }
                finally
                {
                    foreach (ChunkPage left in pages)
                    {
                        left.Page?.Dispose();
                    }

                    pages.Clear();
                    Interlocked.Add(ref _bytesReceived, chunk.BytesReceived);
                    ranges.Finished(chunk);
                    await chunk.DisposeAsync().ConfigureAwait(false);
                }

                run.Resume.EndFirstChunk();
                Interlocked.Increment(ref _requests);
                ChunkEnvelope envelope = chunk.Envelope;
                JobStatus status = CompleteStatus(envelope, chunk.Uri);
                long walkedTo = skip + chunk.PageCount;
                long? next = envelope.Next is null ? null : _endpoint.ParseNext(envelope.Next, JobId, chunk.Uri);
                if (next <= skip && chunk.PageCount > 0)
                {
                    // A next that does not move past the pages just received is a server bug: the cursor can be computed.
                    next = walkedTo;
                }

                if (walkedTo >= stopAt || next >= stopAt)
                {
                    // The range is read: what lies past it, and any end-of-job check, belong to others.
                    LogFinished();
                    completed = true;
                    yield break;
                }

                if (status.IsTerminal)
                {
                    // Older servers send a next link on a finished job that leads to an empty chunk.
                    if (next is null || chunk.PageCount == 0)
                    {
                        if (_options.StopAt is null)
                        {
                            await foreach (ScrapedPage found in RepairEndAsync(run, walkedTo, token).ConfigureAwait(false))
                            {
                                yield return found;
                            }
                        }

                        LogFinished();
                        completed = true;
                        yield break;
                    }

                    skip = next.Value;
                    continue;
                }

                // Still scraping: next may point at the same cursor when nothing new has finished yet.
                long target = next ?? walkedTo;
                if (progress.Observe(delivered > 0, status))
                {
                    Log.Stalled(_api.PagingLogger, _endpoint.Noun, JobId, status.Status, options.JobStallTimeout);
                    throw new FirecrawlApiException(
                        $"The {_endpoint.Noun} {JobId} has reported \"{status.Status}\" for {options.JobStallTimeout} without a new page or a change in its counts.",
                        JobStreamErrorCode.CursorStalled) { RequestUri = chunk.Uri, Status = 200, JobId = JobId };
                }

                if (chunk.PageCount == 0 || target == skip)
                {
                    Log.Polling(_api.PagingLogger, _endpoint.Noun, JobId, status.Status, status.Completed, status.Total, options.PollInterval.TotalMilliseconds);
                    await Task.Delay(options.PollInterval, time, token).ConfigureAwait(false);
                }

                skip = target;
            }
        }
        finally
        {
            // An iterator cannot catch around its yields: the span says whether the job was read to its end
            // (false after an error, and when the consumer stopped early).
            span?.SetTag("firecrawl.job.completed", completed);

            // However the stream ends (done, an error, the consumer stopped), chunks read ahead are not wanted.
            await ranges.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The span of one enumeration (null when nobody listens), and the log of its start.</summary>
    private Activity? StartStreamSpan(StreamRun run)
    {
        if (run.Resume.DeliveredBefore > 0)
        {
            Log.StreamResumed(_api.PagingLogger, _endpoint.Noun, JobId, run.Resume.DeliveredBefore - 1);
        }
        else
        {
            Log.StreamStarted(_api.PagingLogger, _endpoint.Noun, JobId);
        }

        Activity? span = FirecrawlStreamingDiagnostics.Source.StartActivity("firecrawl.job.stream", ActivityKind.Internal);
        span?.SetTag("firecrawl.job.id", JobId);
        span?.SetTag("firecrawl.job.kind", Kind.ToString());
        return span;
    }

    private void LogFinished()
    {
        if (_api.PagingLogger.IsEnabled(LogLevel.Information))
        {
            JobCoverage coverage = Coverage;
            Log.StreamFinished(_api.PagingLogger, _endpoint.Noun, JobId, coverage.Delivered, coverage.DuplicatesDropped, coverage.Repaired, coverage.BytesReceived);
        }
    }

    /// <summary>Counts a page delivered in the walk.</summary>
    private void Count(in ChunkPage item)
    {
        Interlocked.Increment(ref _delivered);
        if (item.Utf8Repaired)
        {
            Interlocked.Increment(ref _utf8Repaired);
        }
    }
}
