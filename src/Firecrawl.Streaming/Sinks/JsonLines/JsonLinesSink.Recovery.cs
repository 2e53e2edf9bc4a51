using System.Buffers;
using System.IO.Pipelines;

namespace Firecrawl.Streaming.Sinks;

/// <summary>Opening the output: reading the keys an existing file holds, and cutting what a crash left torn.</summary>
public sealed partial class JsonLinesSink
{
    private async ValueTask<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        if (Path is null)
        {
            _stream = Console.OpenStandardOutput();
            return _stream;
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var file = new FileStream(Path, new FileStreamOptions
        {
            Mode = _options.Overwrite ? FileMode.Create : FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read,
            BufferSize = 0, // every write is a whole batch already
            Options = FileOptions.Asynchronous,
        });
        try
        {
            long end = _gzip
                ? await ScanMembersAsync(file, cancellationToken).ConfigureAwait(false)
                : await ScanLinesAsync(file, cancellationToken).ConfigureAwait(false);
            if (end < file.Length)
            {
                BytesRecovered = file.Length - end;
                file.SetLength(end);
            }

            file.Position = end;
            _goodLength = end;
            _stream = file;
            return file;
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads every complete line's key; returns where the last good line ends.</summary>
    private async ValueTask<long> ScanLinesAsync(FileStream file, CancellationToken cancellationToken)
    {
        PipeReader reader = PipeReader.Create(file, new StreamPipeReaderOptions(bufferSize: 256 * 1024, leaveOpen: true));
        long consumedBytes = 0;
        long? unreadableAt = null;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                var lines = new SequenceReader<byte>(buffer);
                while (lines.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
                {
                    bool readable = line.IsSingleSegment ? TryAddKey(line.FirstSpan) : TryAddKey(line.ToArray());
                    if (readable && unreadableAt is long at)
                    {
                        // Good lines after a bad one: not a crash's torn tail, which only ever ends a file.
                        throw Damaged($"the line at byte {at} is not a JSON object, yet complete lines follow it");
                    }

                    if (!readable)
                    {
                        unreadableAt ??= consumedBytes;
                    }

                    consumedBytes += line.Length + 1;
                }

                reader.AdvanceTo(lines.Position, buffer.End);
                if (result.IsCompleted)
                {
                    // Whatever follows the last good line was written after the last flush that covered anything
                    // (a torn line, or a region a crash left zero-filled): no checkpoint can include it.
                    return unreadableAt ?? consumedBytes;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Walks the gzip members, reading every line's key; returns where the last complete member ends.</summary>
    /// <remarks>
    /// What follows the last good member is cut when it can only be a crash's tail: a member cut short, a damaged
    /// member with nothing after it, or one followed by zeros only (blocks a power cut kept from the disk after the
    /// file had grown). A damaged member followed by data is not a tail, and opening fails rather than cut that data.
    /// </remarks>
    private async ValueTask<long> ScanMembersAsync(FileStream file, CancellationToken cancellationToken)
    {
        long offset = 0;
        long length = file.Length;
        byte[] header = new byte[GzipMember.HeaderLength];
        var identities = new List<LineKey>();
        while (offset < length)
        {
            file.Position = offset;
            int read = await file.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (read < header.Length)
            {
                return offset; // a header a crash cut short
            }

            if (!GzipMember.TryReadLength(header, out long memberLength))
            {
                if (await IsZeroFromAsync(file, offset, cancellationToken).ConfigureAwait(false))
                {
                    return offset;
                }

                throw offset == 0
                    ? Damaged("it is not gzip written by this sink (each member carries its length); set Overwrite to replace it")
                    : Damaged($"the gzip member at byte {offset} has no length field");
            }

            if (offset + memberLength > length)
            {
                return offset; // a member a crash cut short
            }

            byte[] member = new byte[memberLength];
            header.CopyTo(member, 0);
            await file.ReadExactlyAsync(member.AsMemory(header.Length), cancellationToken).ConfigureAwait(false);
            string? problem;
            try
            {
                problem = ReadKeysOfMember(GzipMember.Decompress(member), identities) ? null : "does not hold whole JSON lines";
            }
            catch (InvalidDataException e)
            {
                problem = $"is corrupt ({e.Message})";
            }

            if (problem is not null)
            {
                if (offset + memberLength == length || await IsZeroFromAsync(file, offset + memberLength, cancellationToken).ConfigureAwait(false))
                {
                    return offset; // the last member, torn by a crash before it was flushed
                }

                throw Damaged($"the gzip member at byte {offset} {problem}");
            }

            // Only a whole member counts: keys of a member that is cut must not make its pages look stored.
            foreach (LineKey identity in identities)
            {
                _keys.AddStored(identity);
            }

            offset += memberLength;
        }

        return offset;
    }

    /// <summary>Whether every byte from <paramref name="offset"/> to the end of the file is zero.</summary>
    private static async ValueTask<bool> IsZeroFromAsync(FileStream file, long offset, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64 * 1024];
        file.Position = offset;
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.AsSpan(0, read).IndexOfAnyExcept((byte)0) >= 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads the identity of every line of a member into <paramref name="identities"/> (cleared first); false when one is not a page.</summary>
    private static bool ReadKeysOfMember(byte[] content, List<LineKey> identities)
    {
        identities.Clear();
        if (content.Length > 0 && content[^1] != (byte)'\n')
        {
            return false;
        }

        ReadOnlySpan<byte> rest = content;
        while (!rest.IsEmpty)
        {
            int end = rest.IndexOf((byte)'\n');
            if (!TryIdentify(rest[..end], out LineKey? identity))
            {
                return false;
            }

            if (identity is { } found)
            {
                identities.Add(found);
            }

            rest = rest[(end + 1)..];
        }

        return true;
    }

    private bool TryAddKey(ReadOnlySpan<byte> line)
    {
        if (!TryIdentify(line, out LineKey? identity))
        {
            return false;
        }

        if (identity is { } found)
        {
            _keys.AddStored(found);
        }

        return true;
    }

    /// <summary>The identity of a stored line; null for an empty line, which holds no page; false when it is not a page.</summary>
    private static bool TryIdentify(ReadOnlySpan<byte> line, out LineKey? identity)
    {
        identity = null;
        if (line.IsEmpty)
        {
            return true;
        }

        ScrapedPage page;
        try
        {
            page = PageParser.Parse(line);
        }
        catch (JobStreamException)
        {
            return false;
        }

        identity = PageKeySet.Identify(page, line);
        return true;
    }

    private InvalidDataException Damaged(string reason) =>
        new($"Cannot append to {Path}: {reason}. Move the file aside or set JsonLinesSinkOptions.Overwrite.");
}
