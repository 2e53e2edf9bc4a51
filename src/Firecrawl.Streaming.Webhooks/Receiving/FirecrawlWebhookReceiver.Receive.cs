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
            Log.SignatureRejected(_logger, signature is null ? "missing" : "wrong");
            return WebhookReceipt.Unauthorized;
        }

        ParsedDelivery parsed;
        try
        {
            parsed = WebhookEventParser.Parse(body);
        }
        catch (WebhookPayloadException e)
        {
            Log.Malformed(_logger, e.Message);
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
            Log.JournalRefused(_logger, e.Message);
            return WebhookReceipt.Unavailable;
        }
    }

    /// <summary>Opens the journal: records read back rebuild the ledger, and those after the checkpoint are delivered again.</summary>
    private WebhookJournal OpenJournal(Guid? checkpointJournal, long through)
    {
        var readBack = new List<Delivery>();
        WebhookJournal journal = WebhookJournal.Open(
            _options.JournalDirectory,
            _options.MaxJournalBytes,
            record =>
            {
                if (Apply(record) is { } delivery)
                {
                    readBack.Add(delivery);
                }
            },
            record =>
            {
                if (Apply(record) is { } delivery)
                {
                    _deliveries.Writer.TryWrite(delivery);
                }
            },
            out long cut);
        if (cut > 0)
        {
            Log.TornTailCut(_logger, cut, journal.Path);
        }

        if (checkpointJournal is { } id && id != journal.Id)
        {
            // A checkpoint of another journal says nothing about this one: deliver everything (the sinks keep one copy per key).
            Log.ForeignCheckpoint(_logger, journal.Path);
            through = -1;
        }

        _processedThrough = through;
        foreach (Delivery delivery in readBack.Where(d => d.Sequence > through))
        {
            _deliveries.Writer.TryWrite(delivery);
        }

        return journal;
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
                    Log.Malformed(_logger, e.Message);
                    return null;
                }

                long first = _ledger.Commit(parsed, pending?.Done);
                return new Delivery(record.Sequence, parsed.ToEvent(record.Sequence, first), parsed.Kind, parsed.JobId, Quiet: false);
            case JournalRecordType.QuietPeriodElapsed:
                string[] parts = Encoding.UTF8.GetString(record.Payload.Span).Split('\n', 2);
                JobKind kind = parts[0] == "crawl" ? JobKind.Crawl : JobKind.BatchScrape;
                _ledger.CloseQuiet(kind, parts[1]);
                return new Delivery(record.Sequence, null, kind, parts[1], Quiet: true);
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
            byte[] payload = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{(kind == JobKind.Crawl ? "crawl" : "batch")}\n{jobId}"));
            journal.AppendAsync(JournalRecordType.QuietPeriodElapsed, payload, tag: null).ContinueWith(
                t => _ledger.ResetQuiet(jobId),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }
}
