using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

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
        if (inner.IndexOf((byte)'\\') < 0)
        {
            return Encoding.UTF8.GetString(inner);
        }

        var reader = new Utf8JsonReader(value);
        reader.Read();
        return reader.GetString();
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
                return [reader.GetString()!];
            case JsonTokenType.StartArray:
                var items = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        items.Add(reader.GetString()!);
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
