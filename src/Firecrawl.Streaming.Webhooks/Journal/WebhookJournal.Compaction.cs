namespace Firecrawl.Streaming.Webhooks.Journal;

/// <summary>Compaction: a closed journal replaced, atomically, by one holding only the records still needed.</summary>
internal sealed partial class WebhookJournal
{
    /// <summary>
    /// Replaces the journal in <paramref name="directory"/> (which must not be open) with one of a new id holding
    /// <paramref name="records"/>: written to a temporary file, synced, then renamed over the old one, so a crash leaves
    /// either journal whole.
    /// </summary>
    public static void Rewrite(string directory, IEnumerable<(JournalRecordType Type, ReadOnlyMemory<byte> Payload)> records)
    {
        string path = System.IO.Path.Combine(directory, "webhooks.journal");
        string temporary = path + ".compacting";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(s_magic);
            file.Write(Guid.NewGuid().ToByteArray());
            Span<byte> header = stackalloc byte[HeaderBytes];
            foreach ((JournalRecordType type, ReadOnlyMemory<byte> payload) in records)
            {
                Frame(header, type, payload.Span);
                file.Write(header);
                file.Write(payload.Span);
            }

            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
