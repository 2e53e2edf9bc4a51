using System.Text.Json;

namespace Firecrawl.Streaming;

/// <summary>Maps property names the reader is positioned on to the fields the parser records, straight from UTF-8 bytes.</summary>
internal static class PropertyNames
{
    // Longest name worth comparing; anything longer is an unknown field.
    private const int MaxKnownLength = 24;

    public static TopLevelField ClassifyTopLevel(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 when name.SequenceEqual("data"u8) => TopLevelField.Data,
        4 when name.SequenceEqual("next"u8) => TopLevelField.Next,
        5 when name.SequenceEqual("total"u8) => TopLevelField.Total,
        5 when name.SequenceEqual("error"u8) => TopLevelField.Error,
        6 when name.SequenceEqual("status"u8) => TopLevelField.Status,
        7 when name.SequenceEqual("success"u8) => TopLevelField.Success,
        7 when name.SequenceEqual("warning"u8) => TopLevelField.Warning,
        8 when name.SequenceEqual("duration"u8) => TopLevelField.Duration,
        9 when name.SequenceEqual("completed"u8) => TopLevelField.Completed,
        9 when name.SequenceEqual("expiresAt"u8) => TopLevelField.ExpiresAt,
        9 when name.SequenceEqual("createdAt"u8) => TopLevelField.CreatedAt,
        11 when name.SequenceEqual("creditsUsed"u8) => TopLevelField.CreditsUsed,
        11 when name.SequenceEqual("completedAt"u8) => TopLevelField.CompletedAt,
        _ => TopLevelField.Other,
    };

    public static PageField ClassifyPageField(ref Utf8JsonReader reader)
    {
        if (!reader.HasValueSequence && !reader.ValueIsEscaped)
        {
            return FieldNames.ClassifyPageField(reader.ValueSpan);
        }

        Span<byte> scratch = stackalloc byte[MaxKnownLength];
        int length = CopyName(ref reader, scratch);
        return length < 0 ? PageField.Other : FieldNames.ClassifyPageField(scratch[..length]);
    }

    public static MetadataField ClassifyMetadataField(ref Utf8JsonReader reader)
    {
        if (!reader.HasValueSequence && !reader.ValueIsEscaped)
        {
            return FieldNames.ClassifyMetadataField(reader.ValueSpan);
        }

        Span<byte> scratch = stackalloc byte[MaxKnownLength];
        int length = CopyName(ref reader, scratch);
        return length < 0 ? MetadataField.Other : FieldNames.ClassifyMetadataField(scratch[..length]);
    }

    public static TopLevelField ClassifyTopLevel(ref Utf8JsonReader reader)
    {
        if (!reader.HasValueSequence && !reader.ValueIsEscaped)
        {
            return ClassifyTopLevel(reader.ValueSpan);
        }

        Span<byte> scratch = stackalloc byte[MaxKnownLength];
        int length = CopyName(ref reader, scratch);
        return length < 0 ? TopLevelField.Other : ClassifyTopLevel(scratch[..length]);
    }

    /// <summary>
    /// Unescapes a name that is split across segments or written with escapes (both rare) into
    /// <paramref name="scratch"/>; -1 when it is too long to be a known name.
    /// </summary>
    private static int CopyName(ref Utf8JsonReader reader, scoped Span<byte> scratch)
    {
        long length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length > MaxKnownLength * 6)
        {
            return -1; // longer than any known name, even with every character escaped
        }

        Span<byte> unescaped = stackalloc byte[MaxKnownLength * 6];
        int written = reader.CopyString(unescaped);
        if (written > scratch.Length)
        {
            return -1;
        }

        unescaped[..written].CopyTo(scratch);
        return written;
    }
}

/// <summary>The top-level keys of a job status response.</summary>
internal enum TopLevelField : byte
{
    Other = 0,
    Status,
    Total,
    Completed,
    CreditsUsed,
    ExpiresAt,
    Next,
    Data,
    Success,
    Error,
    Warning,
    CreatedAt,
    CompletedAt,
    Duration,
}
