using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Firecrawl.Streaming;

/// <summary>The top level of a batch status response: its start, its scalar fields and the <c>data</c> array.</summary>
internal sealed partial class ChunkParser
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>Skips a byte-order mark and rejects bodies that are not a JSON object before the reader sees them.</summary>
    private bool TryStart(ref ReadOnlySequence<byte> buffer, bool isFinalBlock)
    {
        Span<byte> head = stackalloc byte[3];
        int headLength = (int)Math.Min(3, buffer.Length);
        buffer.Slice(0, headLength).CopyTo(head);
        if (head[..headLength].SequenceEqual(Utf8Bom[..headLength]))
        {
            if (headLength < 3)
            {
                if (!isFinalBlock)
                {
                    return false;
                }
            }
            else
            {
                buffer = buffer.Slice(3);
                _bufferStart += 3;
            }
        }

        SequenceReader<byte> scan = new(buffer);
        scan.AdvancePastAny((byte)' ', (byte)'\t', (byte)'\r', (byte)'\n');
        if (!scan.TryPeek(out byte first))
        {
            if (isFinalBlock)
            {
                EndedEarly = true;
                ThrowHelper.ThrowMalformed("the body is empty", _bufferStart + scan.Consumed);
            }

            return false;
        }

        if (first != (byte)'{')
        {
            if (!isFinalBlock && buffer.Length - scan.Consumed < 60)
            {
                return false; // wait for enough of the body to show what it is
            }

            long offset = _bufferStart + scan.Consumed;
            if (first is (byte)'[' or (byte)'"' or (byte)'-' or (>= (byte)'0' and <= (byte)'9'))
            {
                ThrowHelper.ThrowMalformed("expected a JSON object at the top level", offset);
            }

            ThrowHelper.ThrowNotJson(offset, Preview(buffer.Slice(scan.Position)));
        }

        _started = true;
        return true;
    }

    /// <summary>The body's start as quoted in a "not JSON" error: through the caller's <see cref="BodyPreview"/>, which removes the API key.</summary>
    private string Preview(ReadOnlySequence<byte> rest)
    {
        const int shown = 60;

        // More than is shown goes to the preview, so that a key running past the cut is removed whole.
        byte[] bytes = rest.Slice(0, Math.Min(rest.Length, 1024)).ToArray();
        var text = new StringBuilder(_preview is null ? Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, shown)) : _preview(bytes, shown));
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsControl(text[i]))
            {
                text[i] = ' ';
            }
        }

        return text.ToString();
    }

    /// <summary>Handles a token outside any page; returns <see langword="true"/> when the root object closed.</summary>
    private bool OnEnvelopeToken(ref Utf8JsonReader reader, long sliceBase)
    {
        int depth = reader.CurrentDepth;
        switch (reader.TokenType)
        {
            case JsonTokenType.PropertyName when depth == 1:
                _topField = PropertyNames.ClassifyTopLevel(ref reader);
                return false;

            case JsonTokenType.StartArray when depth == 1 && _topField == TopLevelField.Data:
                _inData = true;
                _envelope.HasData = true;
                return false;

            case JsonTokenType.EndArray when depth == 1 && _inData:
                _inData = false;
                return false;

            case JsonTokenType.StartObject when depth == 2 && _inData:
                _inPage = true;
                _page.Begin(pageDepth: 2, sliceBase + reader.TokenStartIndex, _properties);
                return false;

            case JsonTokenType.EndObject when depth == 0:
                _done = true;
                return true;

            case JsonTokenType.StartObject when depth == 1 && _topField == TopLevelField.Data:
                ThrowHelper.ThrowMalformed("\"data\" must be an array", sliceBase + reader.TokenStartIndex);
                return false;

            case JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null:
                if (depth == 1)
                {
                    SetEnvelopeField(ref reader, sliceBase);
                }
                else if (depth == 2 && _inData)
                {
                    ThrowHelper.ThrowMalformed($"data[{_pageIndex}] must be a JSON object", sliceBase + reader.TokenStartIndex);
                }

                return false;

            default:
                return false; // tokens inside unknown top-level objects and arrays
        }
    }

    private void SetEnvelopeField(ref Utf8JsonReader reader, long sliceBase)
    {
        JsonTokenType type = reader.TokenType;
        switch (_topField)
        {
            case TopLevelField.Status when type == JsonTokenType.String:
                _envelope.Status = reader.GetString();
                break;
            case TopLevelField.Total:
                _envelope.Total = ReadInt64(ref reader);
                break;
            case TopLevelField.Completed:
                _envelope.Completed = ReadInt64(ref reader);
                break;
            case TopLevelField.CreditsUsed:
                _envelope.CreditsUsed = ReadInt64(ref reader);
                break;
            case TopLevelField.ExpiresAt when type == JsonTokenType.String:
                _envelope.ExpiresAt = ReadDate(ref reader);
                break;
            case TopLevelField.CreatedAt when type == JsonTokenType.String:
                _envelope.CreatedAt = ReadDate(ref reader);
                break;
            case TopLevelField.CompletedAt when type == JsonTokenType.String:
                _envelope.CompletedAt = ReadDate(ref reader);
                break;
            case TopLevelField.Duration:
                _envelope.Duration = ReadSeconds(ref reader);
                break;
            case TopLevelField.Next:
                _envelope.Next = type == JsonTokenType.String ? reader.GetString() : null;
                break;
            case TopLevelField.Success when type is JsonTokenType.True or JsonTokenType.False:
                _envelope.Success = reader.GetBoolean();
                break;
            case TopLevelField.Error when type == JsonTokenType.String:
                _envelope.Error = reader.GetString();
                break;
            case TopLevelField.Warning when type == JsonTokenType.String:
                _envelope.Warning = reader.GetString();
                break;
            case TopLevelField.Data when type != JsonTokenType.Null:
                ThrowHelper.ThrowMalformed("\"data\" must be an array", sliceBase + reader.TokenStartIndex);
                break;
        }
    }

    private static DateTimeOffset? ReadDate(ref Utf8JsonReader reader) =>
        reader.TryGetDateTimeOffset(out DateTimeOffset date)
            ? date
            : DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date) ? date : null;

    /// <summary>A duration the API sends in seconds (a number, or a string holding one); null when it cannot be a <see cref="TimeSpan"/>.</summary>
    private static TimeSpan? ReadSeconds(ref Utf8JsonReader reader)
    {
        double seconds;
        if (reader.TokenType == JsonTokenType.Number)
        {
            seconds = reader.GetDouble();
        }
        else if (reader.TokenType != JsonTokenType.String
            || !double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out seconds))
        {
            return null;
        }

        return double.IsFinite(seconds) && Math.Abs(seconds) < TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;
    }

    private static long? ReadInt64(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetInt64(out long value) ? value : (long)reader.GetDouble();
        }

        return reader.TokenType == JsonTokenType.String
            && long.TryParse(reader.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long parsed) ? parsed : null;
    }
}
