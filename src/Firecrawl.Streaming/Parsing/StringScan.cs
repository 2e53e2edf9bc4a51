using System.Buffers;

namespace Firecrawl.Streaming;

/// <summary>
/// Follows a string token that the reader found incomplete (markdown, HTML, a screenshot: often longer than
/// one read) through the bytes that arrive after it, so the reader is run again only once the closing quote
/// is in. Without it, every read re-scanned the whole string so far: with 4 KB reads a 12 KB string was read
/// 24 KB, and the reader's escape handling is its slowest path.
/// </summary>
/// <remarks>
/// The scan stops (and hands over to the reader) at the closing quote and also at anything the reader would
/// reject inside a string (a control character, an unknown escape, a bad <c>\u</c> digit), so malformed
/// bodies fail on the same read, with the same error, as before.
/// </remarks>
internal struct StringScan
{
    /// <summary>Incomplete remainders shorter than this are simply re-read (cheaper than tracking them).</summary>
    public const int Threshold = 256;

    private static readonly SearchValues<byte> s_special = SearchValues.Create(
        [(byte)'"', (byte)'\\', 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);

    private bool _escape;   // the last byte seen was a backslash
    private int _hexDigits; // \u digits still to come

    /// <summary>Gets a value indicating whether a string is being followed.</summary>
    public bool Pending { get; private set; }

    /// <summary>Gets the absolute offset of the next byte to look at.</summary>
    public long Position { get; private set; }

    /// <summary>
    /// Starts following the incomplete token at the start of <paramref name="rest"/> (at absolute offset
    /// <paramref name="restStart"/>) if it is a string that has not ended; otherwise the reader re-reads it.
    /// </summary>
    public void TryStart(ReadOnlySequence<byte> rest, long restStart)
    {
        var reader = new SequenceReader<byte>(rest);
        reader.AdvancePastAny(" \t\r\n,:"u8);
        if (!reader.TryRead(out byte first) || first != (byte)'"')
        {
            return;
        }

        this = default;
        Position = restStart + reader.Consumed;
        Pending = !Continue(rest.Slice(reader.Position));
    }

    /// <summary>Looks at newly arrived bytes; true when the reader should run (the string ended, or it is malformed).</summary>
    public bool Continue(ReadOnlySequence<byte> bytes)
    {
        foreach (ReadOnlyMemory<byte> memory in bytes)
        {
            ReadOnlySpan<byte> span = memory.Span;
            int i = 0;
            while (i < span.Length)
            {
                if (_hexDigits > 0)
                {
                    if (!char.IsAsciiHexDigit((char)span[i]))
                    {
                        return true;
                    }

                    _hexDigits--;
                    i++;
                }
                else if (_escape)
                {
                    switch (span[i])
                    {
                        case (byte)'u':
                            _hexDigits = 4;
                            break;
                        case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                            break;
                        default:
                            return true;
                    }

                    _escape = false;
                    i++;
                }
                else
                {
                    int found = span[i..].IndexOfAny(s_special);
                    if (found < 0)
                    {
                        break;
                    }

                    i += found;
                    if (span[i] != (byte)'\\')
                    {
                        return true; // the closing quote, or a control character the reader rejects
                    }

                    _escape = true;
                    i++;
                }
            }

            Position += span.Length;
        }

        return false;
    }
}
