using Firecrawl.Streaming.Webhooks.Receiving;

namespace Firecrawl.Streaming.Webhooks;

/// <summary>
/// The delivery loop: the journal's records, in order, become events for handlers, pages for the sinks, and
/// reconciliations of finished jobs.
/// </summary>
public sealed partial class FirecrawlWebhookReceiver
{
    private readonly CancellationTokenSource _pipelineGone = new();
    private readonly HashSet<string> _reconciled = new(StringComparer.Ordinal);

    // Where the loop has got to, and the first record whose reconciliation failed (the checkpoint stays before it, so
    // the next start reconciles that job again).
    private long _processedThrough = -1;
    private long _heldAt = long.MaxValue;

    private async Task DeliverAsync(CancellationToken stopping)
    {
        using var feed = CancellationTokenSource.CreateLinkedTokenSource(stopping, _pipelineGone.Token);
        CancellationToken token = feed.Token;
        try
        {
            await foreach (Delivery delivery in _deliveries.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                if (delivery.Event is { } e)
                {
                    await HandleEventAsync(e, token).ConfigureAwait(false);

                    // A page journaled after its job was reconciled was pulled already (the job was closed when it arrived).
                    if (e.EventType == WebhookEventType.Page && e.Success && !_reconciled.Contains(e.JobId))
                    {
                        foreach (ScrapedPage page in e.Pages)
                        {
                            await FeedAsync(page, delivery.Sequence, token).ConfigureAwait(false);
                        }
                    }

                    if (e.EventType is WebhookEventType.Completed or WebhookEventType.Failed or WebhookEventType.Cancelled)
                    {
                        await ReconcileAsync(delivery, ReconcileTrigger.Completed, token).ConfigureAwait(false);
                    }
                }
                else if (delivery.Quiet)
                {
                    await ReconcileAsync(delivery, ReconcileTrigger.QuietPeriod, token).ConfigureAwait(false);
                }

                Volatile.Write(ref _processedThrough, Math.Min(delivery.Sequence, Volatile.Read(ref _heldAt) - 1));
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopped without waiting, or the pipeline failed (Completion says so): the journal keeps the rest.
        }
    }

    private async ValueTask HandleEventAsync(WebhookEvent e, CancellationToken cancellationToken)
    {
        if (_options.OnEvent is { } handler)
        {
            try
            {
                await handler(e, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The event is durable and its pages still reach the sinks; the handler's failure is the handler's.
                WebhookLog.HandlerFailed(_logger, e.Type, e.JobId, error);
            }
        }

        if (_events is not null)
        {
            await _events.Writer.WriteAsync(e, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Hands a page to the pipeline, remembering which journal record it completes for the checkpoint.</summary>
    private async ValueTask<Mark?> FeedAsync(ScrapedPage page, long through, CancellationToken cancellationToken)
    {
        if (_pipeline is null)
        {
            return null;
        }

        var mark = new Mark(page.ResumeToken, through);
        lock (_marks)
        {
            _marks.Enqueue(mark);
        }

        await _pages.Writer.WriteAsync(page, cancellationToken).ConfigureAwait(false);
        return mark;
    }

    /// <summary>Pulls the job from its status endpoint, delivers what was never pushed, and reports its coverage.</summary>
    private async Task ReconcileAsync(Delivery delivery, ReconcileTrigger trigger, CancellationToken cancellationToken)
    {
        if (!_reconciled.Add(delivery.JobId))
        {
            return;
        }

        (HashSet<string> pushed, string[] failed, long duplicates) = _ledger.Snapshot(delivery.Kind, delivery.JobId);
        var report = new WebhookJobReport
        {
            Kind = delivery.Kind,
            JobId = delivery.JobId,
            Trigger = trigger,
            Pushed = pushed.Count,
            FailedPages = failed,
            DuplicatesDropped = duplicates,
        };
        if (_options.JobClient is { } client)
        {
            try
            {
                // Pulled pages complete only the records before this one, until the last of them is handed on.
                Mark? last = null;
                (long pulled, JobCoverage coverage) = await JobReconciler.PullAsync(
                    client,
                    delivery.Kind,
                    delivery.JobId,
                    pushed,
                    async (page, token) => last = await FeedAsync(page, delivery.Sequence - 1, token).ConfigureAwait(false) ?? last,
                    cancellationToken).ConfigureAwait(false);
                if (last is not null)
                {
                    lock (_marks)
                    {
                        last.Through = delivery.Sequence;
                    }
                }

                report = report with { Pulled = pulled, Coverage = coverage };
            }
            catch (JobStreamException e)
            {
                // Held: the checkpoint stays before this record, so the next start pulls the job again.
                InterlockedMin(ref _heldAt, delivery.Sequence);
                report = report with { Error = e };
                WebhookLog.ReconcileFailed(_logger, delivery.JobId, e.Message);
            }
        }

        lock (_reports)
        {
            _reports.Add(report);
        }

        WebhookLog.Reconciled(_logger, delivery.JobId, report.Pushed, report.Pulled, report.FailedPages.Count, report.Unaccounted);
        if (_options.OnJobReconciled is { } handler)
        {
            try
            {
                await handler(report, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                WebhookLog.HandlerFailed(_logger, "report", delivery.JobId, error);
            }
        }
    }

    private static void InterlockedMin(ref long target, long value)
    {
        long seen;
        while (value < (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
