using System.Buffers.Binary;
using System.IO.Compression;

namespace Firecrawl.Streaming.Sinks;

/// <summary>
/// The gzip framing of a JSON Lines file: one gzip member per batch, each carrying its own total length in an extra
/// header field (subfield <c>FL</c>, as BGZF does with <c>BC</c>). Any gzip reader reads the file as one stream; the
/// sink itself can walk the members, find where the last complete one ends, and cut a member a crash left torn.
/// </summary>
internal static class GzipMember
{
    /// <summary>The bytes the length field adds to the 10-byte gzip header: XLEN, SI1, SI2, LEN, an 8-byte length.</summary>
    public const int ExtraLength = 2 + 2 + 2 + 8;

    /// <summary>The header of a member this class wrote: 10 fixed bytes and the extra field.</summary>
    public const int HeaderLength = 10 + ExtraLength;

    private const byte FlagExtra = 0x04;
    private const byte SubfieldId1 = (byte)'F', SubfieldId2 = (byte)'L';

    /// <summary>Compresses <paramref name="content"/> into <paramref name="output"/> (cleared first) as one framed member.</summary>
    public static void Write(ReadOnlySpan<byte> content, MemoryStream output, CompressionLevel level)
    {
        // Room for the extra field in front; GZipStream then writes its plain member after it.
        output.SetLength(ExtraLength);
        output.Position = ExtraLength;
        using (var gzip = new GZipStream(output, level, leaveOpen: true))
        {
            gzip.Write(content);
        }

        Span<byte> bytes = output.GetBuffer().AsSpan(0, (int)output.Length);
        Span<byte> plainHeader = bytes.Slice(ExtraLength, 10);
        if (plainHeader[0] != 0x1f || plainHeader[1] != 0x8b || plainHeader[2] != 8 || plainHeader[3] != 0)
        {
            throw new InvalidOperationException("GZipStream wrote a header with optional fields; the member cannot be framed.");
        }

        // Move the 10 fixed bytes to the front, flag the extra field, and put it right after them.
        plainHeader.CopyTo(bytes);
        bytes[3] = FlagExtra;
        Span<byte> extra = bytes.Slice(10, ExtraLength);
        BinaryPrimitives.WriteUInt16LittleEndian(extra, ExtraLength - 2);
        extra[2] = SubfieldId1;
        extra[3] = SubfieldId2;
        BinaryPrimitives.WriteUInt16LittleEndian(extra[4..], 8);
        BinaryPrimitives.WriteInt64LittleEndian(extra[6..], bytes.Length);
    }

    /// <summary>Reads the total length of a framed member from its header; false when the header is not one of ours.</summary>
    public static bool TryReadLength(ReadOnlySpan<byte> header, out long length)
    {
        length = 0;
        if (header.Length < HeaderLength || header[0] != 0x1f || header[1] != 0x8b || header[2] != 8 || header[3] != FlagExtra
            || BinaryPrimitives.ReadUInt16LittleEndian(header[10..]) != ExtraLength - 2
            || header[12] != SubfieldId1 || header[13] != SubfieldId2 || BinaryPrimitives.ReadUInt16LittleEndian(header[14..]) != 8)
        {
            return false;
        }

        length = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        return length > HeaderLength;
    }

    /// <summary>Decompresses one complete member.</summary>
    /// <exception cref="InvalidDataException">The member is damaged (its checksum or length does not match).</exception>
    public static byte[] Decompress(byte[] member)
    {
        using var input = new MemoryStream(member, writable: false);
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }
}
