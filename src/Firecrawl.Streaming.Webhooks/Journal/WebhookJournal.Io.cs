using System.Buffers.Binary;

namespace Firecrawl.Streaming.Webhooks.Journal;

/// <summary>Reading records back at open, and the writer that appends and syncs them.</summary>
internal sealed partial class WebhookJournal
{
    /// <summary>Reads whole records from the start; returns where the last good one ends and how many there are.</summary>
    private static (Guid Id, long Good, long Records) ReadBack(FileStream file, Action<JournalRecord> replay)
    {
        const int Start = 8 + 16;
        file.Position = 0;
        if (file.Length == 0)
        {
            var created = Guid.NewGuid();
            file.Write(s_magic);
            file.Write(created.ToByteArray());
            file.Flush(flushToDisk: true);
            return (created, Start, 0);
        }

        Span<byte> magic = stackalloc byte[Start];
        if (file.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false) < magic.Length)
        {
            // Created, and cut before its magic was complete: nothing was ever acknowledged from it.
            file.SetLength(0);
            return ReadBack(file, replay);
        }

        if (!magic[..8].SequenceEqual(s_magic))
        {
            throw new InvalidDataException($"{file.Name} is not a webhook journal (its first bytes are not the journal's magic); move it away or choose another directory.");
        }

        var id = new Guid(magic[8..]);
        long good = Start;
        long records = 0;
        long length = file.Length;
        Span<byte> header = stackalloc byte[HeaderBytes];
        while (good + HeaderBytes <= length)
        {
            file.Position = good;
            file.ReadExactly(header);
            uint payloadLength = BinaryPrimitives.ReadUInt32LittleEndian(header);
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            var type = (JournalRecordType)header[8];
            if (payloadLength > length - good - HeaderBytes || !Enum.IsDefined(type))
            {
                break;
            }

            byte[] payload = new byte[payloadLength];
            file.ReadExactly(payload);
            if (Crc32.Compute(header[8], payload) != crc)
            {
                break;
            }

            replay(new JournalRecord(records++, type, payload));
            good += HeaderBytes + payloadLength;
        }

        return (id, good, records);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingAppend>(MaxBatch);
        byte[] header = new byte[HeaderBytes];
        while (await _pending.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out PendingAppend? next))
            {
                batch.Add(next);
            }

            Exception? failure = _broken;
            long start = _file.Position;
            if (failure is null)
            {
                try
                {
                    foreach (PendingAppend append in batch)
                    {
                        Frame(header, append.Type, append.Payload.Span);
                        await _file.WriteAsync(header).ConfigureAwait(false);
                        await _file.WriteAsync(append.Payload).ConfigureAwait(false);
                    }

                    // One sync for the whole batch: every record in it is durable when this returns.
                    _file.Flush(flushToDisk: true);
                }
                catch (Exception e)
                {
                    failure = e;
                    lock (_sizeLock)
                    {
                        _broken = e;
                    }

                    TryCut(start);
                }
            }

            foreach (PendingAppend append in batch)
            {
                if (failure is not null)
                {
                    Release(HeaderBytes + append.Payload.Length);
                    append.Done.TrySetException(new IOException("The journal could not write the delivery.", failure));
                    continue;
                }

                var record = new JournalRecord(_nextSequence++, append.Type, append.Payload, append.Tag);
                try
                {
                    _onDurable(record);
                }
                catch (Exception e)
                {
                    // The record is durable whatever the callback did; a failing callback must not stall the writer.
                    append.Done.TrySetException(e);
                    continue;
                }

                append.Done.TrySetResult(record.Sequence);
            }

            batch.Clear();
        }
    }

    /// <summary>Writes a record's header: its length, its checksum (over the type and the payload), its type.</summary>
    private static void Frame(Span<byte> header, JournalRecordType type, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.Compute((byte)type, payload));
        header[8] = (byte)type;
    }

    /// <summary>Removes a partly written batch, so that nothing after it is appended behind a torn record; open cuts it otherwise.</summary>
    private void TryCut(long length)
    {
        try
        {
            _file.SetLength(length);
            _file.Position = length;
        }
        catch (IOException)
        {
            // Open cuts the torn tail next time.
        }
    }
}
