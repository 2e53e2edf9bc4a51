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
    private async ValueTask<long> ScanMembersAsync(FileStream file, CancellationToken cancellationToken)
    {
        long offset = 0;
        long length = file.Length;
        byte[] header = new byte[GzipMember.HeaderLength];
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
                if (offset == 0)
                {
                    throw Damaged("it is not gzip written by this sink (each member carries its length); set Overwrite to replace it");
                }

                throw Damaged($"the gzip member at byte {offset} has no length field");
            }

            if (offset + memberLength > length)
            {
                return offset; // a member a crash cut short
            }

            byte[] member = new byte[memberLength];
            header.CopyTo(member, 0);
            await file.ReadExactlyAsync(member.AsMemory(header.Length), cancellationToken).ConfigureAwait(false);
            bool last = offset + memberLength == length;
            byte[] content;
            try
            {
                content = GzipMember.Decompress(member);
            }
            catch (InvalidDataException) when (last)
            {
                return offset; // the last member, torn by a crash before it was flushed
            }
            catch (InvalidDataException e)
            {
                throw Damaged($"the gzip member at byte {offset} is corrupt ({e.Message})");
            }

            if (!AddKeysOfMember(content) && !last)
            {
                throw Damaged($"the gzip member at byte {offset} does not hold whole JSON lines");
            }

            offset += memberLength;
        }

        return offset;
    }

    private bool AddKeysOfMember(byte[] content)
    {
        if (content.Length > 0 && content[^1] != (byte)'\n')
        {
            return false;
        }

        ReadOnlySpan<byte> rest = content;
        while (!rest.IsEmpty)
        {
            int end = rest.IndexOf((byte)'\n');
            if (!TryAddKey(rest[..end]))
            {
                return false;
            }

            rest = rest[(end + 1)..];
        }

        return true;
    }

    private bool TryAddKey(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            return true; // an empty line holds no page
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

        _keys.Add(PageKeySet.Identify(page, line));
        return true;
    }

    private InvalidDataException Damaged(string reason) =>
        new($"Cannot append to {Path}: {reason}. Move the file aside or set JsonLinesSinkOptions.Overwrite.");
}
