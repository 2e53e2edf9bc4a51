using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Firecrawl.Streaming;

/// <summary>Decodes one JSON value of a page's buffer on demand (the parser only recorded where it is).</summary>
internal static class JsonValueDecoder
{
    /// <summary>A string value's text; <see langword="null"/> for absent, <c>null</c> and non-string values.</summary>
    public static string? GetString(ReadOnlySpan<byte> value)
    {
        if (value.Length < 2 || value[0] != (byte)'"')
        {
            return null;
        }

        ReadOnlySpan<byte> inner = value[1..^1];

        // Most values carry no escapes: decode them straight from UTF-8 without a reader.
        int escape = inner.IndexOf((byte)'\\');
        if (escape < 0)
        {
            return Encoding.UTF8.GetString(inner);
        }

        // Text with escapes (markdown: every newline and quote) is unescaped in one pass: the parser's reader
        // validated these bytes already, so reading them again with a new reader would scan them twice more.
        return UnescapeSimple(inner, escape) ?? DecodeWithReader(value);
    }

    /// <summary>
    /// Writes a string value's text as UTF-8, byte for byte what <see cref="Encoding.UTF8"/> makes of
    /// <see cref="GetString"/>'s result, without building the string: a value without escapes is copied as it is, one
    /// with escapes is unescaped straight into <paramref name="destination"/>. Anything the one-pass unescape does not
    /// take (a lone surrogate, bytes that are not UTF-8) goes through the string, so the result is the same.
    /// </summary>
    /// <returns><see langword="false"/> (nothing written) for absent, <c>null</c> and non-string values.</returns>
    public static bool TryWriteUtf8(ReadOnlySpan<byte> value, IBufferWriter<byte> destination)
    {
        if (value.Length < 2 || value[0] != (byte)'"')
        {
            return false;
        }

        ReadOnlySpan<byte> inner = value[1..^1];
        int escape = inner.IndexOf((byte)'\\');
        if (escape < 0 && Utf8.IsValid(inner))
        {
            destination.Write(inner);
            return true;
        }

        if (escape >= 0)
        {
            Span<byte> span = destination.GetSpan(inner.Length + Vector256<byte>.Count);
            int length = Unescape(inner, escape, span);
            if (length >= 0 && Utf8.IsValid(span[..length]))
            {
                destination.Advance(length);
                return true;
            }
        }

        Encoding.UTF8.GetBytes(GetString(value).AsSpan(), destination);
        return true;
    }

    private static string? DecodeWithReader(ReadOnlySpan<byte> value)
    {
        var reader = new Utf8JsonReader(value);
        reader.Read();
        return ReadString(ref reader);
    }

    /// <summary>
    /// The reader's string, or — for a lone surrogate escape such as <c>\ud800</c>, which JavaScript's JSON encoder
    /// writes for broken text and <see cref="Utf8JsonReader.GetString"/> refuses — the text with U+FFFD in its place,
    /// as <see cref="Encoding.UTF8"/> does for invalid bytes.
    /// </summary>
    private static string ReadString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return LossyUnescape(reader.ValueSpan);
        }
    }

    private static string LossyUnescape(ReadOnlySpan<byte> inner)
    {
        var text = new StringBuilder(inner.Length);
        int run = 0;
        for (int i = 0; i < inner.Length; i++)
        {
            if (inner[i] != (byte)'\\')
            {
                continue;
            }

            text.Append(Encoding.UTF8.GetString(inner[run..i]));
            char escaped = (char)inner[++i];
            if (escaped != 'u')
            {
                text.Append(escaped switch { 'n' => '\n', 'r' => '\r', 't' => '\t', 'b' => '\b', 'f' => '\f', _ => escaped });
            }
            else
            {
                char unit = (char)int.Parse(Encoding.ASCII.GetString(inner.Slice(i + 1, 4)), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                i += 4;
                bool pairs = char.IsHighSurrogate(unit) && i + 6 < inner.Length && inner[i + 1] == (byte)'\\' && inner[i + 2] == (byte)'u'
                    && char.IsLowSurrogate((char)int.Parse(Encoding.ASCII.GetString(inner.Slice(i + 3, 4)), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                if (pairs)
                {
                    text.Append(unit).Append((char)int.Parse(Encoding.ASCII.GetString(inner.Slice(i + 3, 4)), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 6;
                }
                else
                {
                    text.Append(char.IsSurrogate(unit) ? '\ufffd' : unit);
                }
            }

            run = i + 1;
        }

        return text.Append(Encoding.UTF8.GetString(inner[run..])).ToString();
    }

    /// <summary>
    /// Decodes a string body holding only the two-character escapes (<c>\" \\ \/ \b \f \n \r \t</c>): one pass
    /// unescapes into a pooled UTF-8 buffer, one pass transcodes it to UTF-16. A <c>\u</c> escape (surrogate rules,
    /// rare in practice), an unexpected byte or invalid UTF-8 returns <see langword="null"/>, and the caller falls
    /// back to <see cref="Utf8JsonReader.GetString"/>, which decodes (or reports) them exactly as before.
    /// </summary>
    private static string? UnescapeSimple(ReadOnlySpan<byte> inner, int escape)
    {
        byte[] bytes = ArrayPool<byte>.Shared.Rent(inner.Length + Vector256<byte>.Count);
        char[]? chars = null;
        try
        {
            int length = Unescape(inner, escape, bytes);
            if (length < 0)
            {
                return null;
            }

            chars = ArrayPool<char>.Shared.Rent(length);
            return Utf8.ToUtf16(bytes.AsSpan(0, length), chars, out _, out int written, replaceInvalidSequences: false) == OperationStatus.Done
                ? new string(chars, 0, written)
                : null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            if (chars is not null)
            {
                ArrayPool<char>.Shared.Return(chars);
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="destination"/> (at least 32 bytes longer), replacing each
    /// simple escape by its byte; <paramref name="escape"/> is the first backslash. Returns the length, or -1.
    /// </summary>
    /// <remarks>
    /// Markdown and HTML carry an escape every few dozen bytes (newlines, quotes), so the runs between escapes
    /// are short: rather than a search and a copy call per run, 32 bytes are loaded, stored and searched at once.
    /// </remarks>
    private static int Unescape(ReadOnlySpan<byte> source, int escape, Span<byte> destination)
    {
        source[..escape].CopyTo(destination);
        int read = escape;
        int written = escape;
        Vector256<byte> backslashes = Vector256.Create((byte)'\\');
        while (true)
        {
            // source[read] is a backslash.
            if (read + 1 >= source.Length)
            {
                return -1;
            }

            byte unescaped = source[read + 1] switch
            {
                (byte)'"' => (byte)'"',
                (byte)'\\' => (byte)'\\',
                (byte)'/' => (byte)'/',
                (byte)'n' => (byte)'\n',
                (byte)'r' => (byte)'\r',
                (byte)'t' => (byte)'\t',
                (byte)'b' => (byte)'\b',
                (byte)'f' => (byte)'\f',
                _ => 0, // \u or invalid
            };
            if (unescaped != 0)
            {
                destination[written++] = unescaped;
                read += 2;
            }
            else
            {
                int consumed = UnescapeCodePoint(source[read..], destination[written..], out int length);
                if (consumed < 0)
                {
                    return -1;
                }

                read += consumed;
                written += length;
            }

            // Copy up to the next backslash.
            while (true)
            {
                if (Vector256.IsHardwareAccelerated && source.Length - read >= Vector256<byte>.Count)
                {
                    Vector256<byte> block = Vector256.Create(source.Slice(read, Vector256<byte>.Count));
                    block.CopyTo(destination.Slice(written, Vector256<byte>.Count));
                    uint found = Vector256.Equals(block, backslashes).ExtractMostSignificantBits();
                    if (found == 0)
                    {
                        read += Vector256<byte>.Count;
                        written += Vector256<byte>.Count;
                        continue;
                    }

                    int offset = BitOperations.TrailingZeroCount(found);
                    read += offset;
                    written += offset;
                    break;
                }

                ReadOnlySpan<byte> rest = source[read..];
                int next = rest.IndexOf((byte)'\\');
                if (next < 0)
                {
                    rest.CopyTo(destination[written..]);
                    return written + rest.Length;
                }

                rest[..next].CopyTo(destination[written..]);
                read += next;
                written += next;
                break;
            }
        }
    }

    /// <summary>
    /// Writes the UTF-8 of a <c>\uXXXX</c> escape (or of a <c>\uD8XX\uDCXX</c> surrogate pair) at the start of
    /// <paramref name="escape"/>; returns the escape bytes read, or -1 for anything else (a lone surrogate included:
    /// the reader reports those).
    /// </summary>
    private static int UnescapeCodePoint(ReadOnlySpan<byte> escape, Span<byte> destination, out int length)
    {
        length = 0;
        if (escape.Length < 6 || escape[1] != (byte)'u' || !Utf8Parser.TryParse(escape.Slice(2, 4), out ushort unit, out int digits, 'x') || digits != 4)
        {
            return -1;
        }

        int consumed = 6;
        uint scalar = unit;
        if (char.IsSurrogate((char)unit))
        {
            if (!char.IsHighSurrogate((char)unit) || escape.Length < 12 || escape[6] != (byte)'\\' || escape[7] != (byte)'u'
                || !Utf8Parser.TryParse(escape.Slice(8, 4), out ushort low, out digits, 'x') || digits != 4 || !char.IsLowSurrogate((char)low))
            {
                return -1;
            }

            scalar = (uint)char.ConvertToUtf32((char)unit, (char)low);
            consumed = 12;
        }

        if (!new Rune(scalar).TryEncodeToUtf8(destination, out length))
        {
            return -1;
        }

        return consumed;
    }

    /// <summary>The strings of an array value (non-string items as their JSON text); a lone string as one item.</summary>
    public static string[] GetStringArray(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return [];
        }

        var reader = new Utf8JsonReader(value);
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return [ReadString(ref reader)];
            case JsonTokenType.StartArray:
                var items = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        items.Add(ReadString(ref reader));
                    }
                    else if (reader.TokenType != JsonTokenType.Null)
                    {
                        items.Add(RawText(ref reader, value));
                    }
                }

                return [.. items];
            default:
                return [];
        }
    }

    public static MetadataText GetMetadataText(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return default;
        }

        return value[0] switch
        {
            (byte)'"' => new MetadataText(GetString(value)),
            (byte)'[' => new MetadataText(GetStringArray(value)),
            (byte)'n' => default,
            _ => new MetadataText(Encoding.UTF8.GetString(value)),
        };
    }

    /// <summary>An integer sent as a number or as a string holding one (the server does both for <c>statusCode</c>).</summary>
    public static int? GetInt32(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return null;
        }

        if (value[0] == (byte)'"')
        {
            string? text = GetString(value);
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed) ? parsed : null;
        }

        if (Utf8Parser.TryParse(value, out int number, out int consumed) && consumed == value.Length)
        {
            return number;
        }

        // A number with a fraction or an exponent ("200.0", "2e2").
        return double.TryParse(Encoding.UTF8.GetString(value), NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
            && d is >= int.MinValue and <= int.MaxValue && d == Math.Floor(d) ? (int)d : null;
    }

    private static string RawText(ref Utf8JsonReader reader, ReadOnlySpan<byte> source)
    {
        int start = (int)reader.TokenStartIndex;
        reader.Skip();
        return Encoding.UTF8.GetString(source[start..(int)reader.BytesConsumed]);
    }
}
