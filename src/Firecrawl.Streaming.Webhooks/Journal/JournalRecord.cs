namespace Firecrawl.Streaming.Webhooks.Journal;

/// <summary>What a journal record holds.</summary>
internal enum JournalRecordType : byte
{
    /// <summary>A verified delivery: the raw body, exactly as received.</summary>
    Delivery = 1,

    /// <summary>A job gone quiet for the quiet period: reconcile it as if it had completed. Payload: <c>kind\njobId</c>.</summary>
    QuietPeriodElapsed = 2,

    /// <summary>
    /// A job closed and reconciled before the journal was compacted: its events were dropped, and any later one is a
    /// repeat. Payload: <c>kind\njobId</c>.
    /// </summary>
    JobClosed = 3,
}

/// <summary>One record of the journal, numbered in the order it was made durable.</summary>
/// <param name="Sequence">The record's number: 0 for the first record of the file.</param>
/// <param name="Type">What the payload is.</param>
/// <param name="Payload">The payload.</param>
/// <param name="Tag">What the appender attached (the parsed delivery), for the callback; null for records read back at open.</param>
internal sealed record JournalRecord(long Sequence, JournalRecordType Type, ReadOnlyMemory<byte> Payload, object? Tag = null);

/// <summary>The journal has no room for another record: the receiver answers 503 and the server delivers again later.</summary>
internal sealed class JournalFullException(string message) : IOException(message);
