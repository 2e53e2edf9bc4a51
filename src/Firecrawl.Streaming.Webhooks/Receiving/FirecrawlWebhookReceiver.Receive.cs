using System.Globalization;
using System.Text;
using Firecrawl.Streaming.Webhooks.Events;
using Firecrawl.Streaming.Webhooks.Journal;
using Firecrawl.Streaming.Webhooks.Receiving;

namespace Firecrawl.Streaming.Webhooks;

/// <summary>Taking a delivery in: verify, parse, de-duplicate, journal; and the journal's records becoming deliveries.</summary>
public sealed partial class FirecrawlWebhookReceiver
{
    /// <summary>What a live append carries to the journal's durable callback.</summary>
    private sealed record PendingDelivery(ParsedDelivery Parsed, TaskCompletionSource<bool>? Done);

    /// <summary>
    /// Takes one delivery: checks its signature over <paramref name="body"/> exactly as received, parses it, drops it if it
    /// repeats one already held, and otherwise returns only once it is durable in the journal.
    /// </summary>
    /// <param name="body">The raw body. It must not change afterwards: the journal keeps it.</param>
    /// <param name="signature">The <c>X-Firecrawl-Signature</c> header, or null when absent.</param>
    /// <param name="cancellationToken">Unused once the delivery is being written: a durable delivery is always acknowledged.</param>
    /// <returns>What was done, which decides the status code.</returns>
    public async ValueTask<WebhookReceipt> ReceiveAsync(ReadOnlyMemory<byte> body, string? signature, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WebhookJournal? journal = _journal;
        if (!_accepting || journal is null)
        {
            return WebhookReceipt.Unavailable;
        }

        // Verified before parsing: a forged body is never even read as JSON.
        if (_options.Secrets.Count > 0 && !WebhookSignature.IsValid(signature, body.Span, _options.Secrets))
        {
            WebhookLog.SignatureRejected(_logger, signature is null ? "missing" : "wrong");
            return WebhookReceipt.Unauthorized;
        }

        ParsedDelivery parsed;
        try
        {
            parsed = WebhookEventParser.Parse(body);
        }
        catch (WebhookPayloadException e)
        {
            WebhookLog.Malformed(_logger, e.Message);
            return WebhookReceipt.Malformed;
        }

        JobLedger.Admission admission = _ledger.Admit(parsed, _time.GetTimestamp());
        if (admission.Repeat is { } repeat)
        {
            // The original is durable, or still being written: its outcome is this one's.
            return await repeat.ConfigureAwait(false) ? WebhookReceipt.Duplicate : WebhookReceipt.Unavailable;
        }

        try
        {
            await journal.AppendAsync(JournalRecordType.Delivery, body, new PendingDelivery(parsed, admission.Done)).ConfigureAwait(false);
            return WebhookReceipt.Accepted;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            _ledger.Release(parsed, admission.Done!);
            WebhookLog.JournalRefused(_logger, e.Message);
            return WebhookReceipt.Unavailable;
        }
    }

    /// <summary>
    /// Opens the journal: records read back rebuild the ledger, and those after the checkpoint are delivered again. A
    /// journal past half its limit whose every record is delivered is compacted first (see <see cref="Compact"/>).
    /// </summary>
    private WebhookJournal OpenJournal(Guid? checkpointJournal, long through)
    {
        var readBack = new List<(JournalRecord Record, Delivery? Delivery)>();
        WebhookJournal journal = WebhookJournal.Open(
            _options.JournalDirectory,
            _options.MaxJournalBytes,
            record => readBack.Add((record, Apply(record))),
            OnDurable,
            out long cut);
        if (cut > 0)
        {
            WebhookLog.TornTailCut(_logger, cut, journal.Path);
        }

        if (checkpointJournal is { } id && id != journal.Id)
        {
            // A checkpoint of another journal says nothing about this one: deliver everything (the sinks keep one copy per key).
            WebhookLog.ForeignCheckpoint(_logger, journal.Path);
            through = -1;
        }

        if (checkpointJournal == journal.Id && through == journal.Records - 1 && journal.Length > _options.MaxJournalBytes / 2)
        {
            return Compact(journal, readBack);
        }

        _processedThrough = through;
        foreach ((_, Delivery? delivery) in readBack)
        {
            if (delivery is not null && delivery.Sequence > through)
            {
                _deliveries.Writer.TryWrite(delivery);
            }
        }

        return journal;
    }

    /// <summary>
    /// Rewrites a journal whose every record is delivered: the events of closed jobs (reconciled, so any later event of
    /// theirs is a repeat) give way to one small record each, and open jobs keep theirs (their identities decide what a
    /// reconciliation still pulls). The new journal has a new id and is delivered through its last record.
    /// </summary>
    private WebhookJournal Compact(WebhookJournal journal, List<(JournalRecord Record, Delivery? Delivery)> readBack)
    {
        long before = journal.Length;
        journal.DisposeAsync().AsTask().GetAwaiter().GetResult();
        HashSet<string> closed = [.. _ledger.ClosedJobs().Select(j => j.JobId)];
        IEnumerable<(JournalRecordType, ReadOnlyMemory<byte>)> kept =
            _ledger.ClosedJobs().Select(j => (JournalRecordType.JobClosed, (ReadOnlyMemory<byte>)JobPayload(j.Kind, j.JobId)))
            .Concat(readBack.Where(r => r.Delivery is { } d && !closed.Contains(d.JobId)).Select(r => (r.Record.Type, r.Record.Payload)));
        WebhookJournal.Rewrite(_options.JournalDirectory, kept);
        WebhookJournal compacted = WebhookJournal.Open(_options.JournalDirectory, _options.MaxJournalBytes, _ => { }, OnDurable, out _);
        WebhookLog.Compacted(_logger, compacted.Path, before, compacted.Length);
        _processedThrough = compacted.Records - 1;
        _mustSave = true;
        return compacted;
    }

    private void OnDurable(JournalRecord record)
    {
        if (Apply(record) is { } delivery)
        {
            _deliveries.Writer.TryWrite(delivery);
        }
    }

    private static byte[] JobPayload(JobKind kind, string jobId) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{(kind == JobKind.Crawl ? "crawl" : "batch")}\n{jobId}"));

    private static (JobKind Kind, string JobId) ParseJobPayload(ReadOnlyMemory<byte> payload)
    {
        string[] parts = Encoding.UTF8.GetString(payload.Span).Split('\n', 2);
        return (parts[0] == "crawl" ? JobKind.Crawl : JobKind.BatchScrape, parts.Length > 1 ? parts[1] : string.Empty);
    }

    /// <summary>A durable record, in journal order: recorded in the ledger and turned into what the delivery loop handles.</summary>
    private Delivery? Apply(JournalRecord record)
    {
        switch (record.Type)
        {
            case JournalRecordType.Delivery:
                var pending = record.Tag as PendingDelivery;
                ParsedDelivery parsed;
                try
                {
                    parsed = pending?.Parsed ?? WebhookEventParser.Parse(record.Payload);
                }
                catch (WebhookPayloadException e)
                {
                    // Checked when it arrived; only a change of this library's rules can make it fail now.
                    WebhookLog.Malformed(_logger, e.Message);
                    return null;
                }

                long first = _ledger.Commit(parsed, pending?.Done);
                return new Delivery(record.Sequence, parsed.ToEvent(record.Sequence, first), parsed.Kind, parsed.JobId, Quiet: false);
            case JournalRecordType.QuietPeriodElapsed:
                (JobKind kind, string jobId) = ParseJobPayload(record.Payload);
                _ledger.CloseQuiet(kind, jobId);
                return new Delivery(record.Sequence, null, kind, jobId, Quiet: true);
            case JournalRecordType.JobClosed:
                (JobKind closedKind, string closedId) = ParseJobPayload(record.Payload);
                _ledger.CloseQuiet(closedKind, closedId);

                // Reconciled before the compaction: nothing of it is delivered or pulled again.
                _reconciled.Add(closedId);
                return null;
            default:
                return null;
        }
    }

    /// <summary>Journals a quiet-period record for each job silent for the quiet period, which closes it and reconciles it.</summary>
    private void CheckQuiet()
    {
        if (!_accepting || _journal is not { } journal || _options.QuietPeriod is not TimeSpan quiet)
        {
            return;
        }

        long since = _time.GetTimestamp() - (long)(quiet.TotalSeconds * _time.TimestampFrequency);
        foreach ((JobKind kind, string jobId) in _ledger.TakeQuiet(since))
        {
            journal.AppendAsync(JournalRecordType.QuietPeriodElapsed, JobPayload(kind, jobId), tag: null).ContinueWith(
                t => _ledger.ResetQuiet(jobId),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }
}
