using System.Globalization;
using System.Text.Json;

namespace Firecrawl.Streaming;

/// <summary>Reads typed values out of a detached <see cref="JsonElement"/> as tolerantly as the parser reads the buffer.</summary>
internal static class ElementValues
{
    /// <summary>The element, or null when it is absent or JSON <c>null</c>.</summary>
    public static JsonElement? Present(IReadOnlyDictionary<string, JsonElement> properties, string name) =>
        properties.TryGetValue(name, out JsonElement value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) ? value : null;

    /// <summary>A string value; null for anything else.</summary>
    public static string? String(JsonElement? value) => value is { ValueKind: JsonValueKind.String } text ? text.GetString() : null;

    /// <summary>An integer sent as a number (fractions of zero allowed) or as a string holding one.</summary>
    public static int? Int32(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.Number } number when number.TryGetInt32(out int whole) => whole,
        { ValueKind: JsonValueKind.Number } number when number.TryGetDouble(out double d) && d is >= int.MinValue and <= int.MaxValue && d == Math.Floor(d) => (int)d,
        { ValueKind: JsonValueKind.String } text when int.TryParse(text.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed) => parsed,
        _ => null,
    };

    /// <summary>A boolean sent as <c>true</c>/<c>false</c> or as the string <c>"true"</c>/<c>"false"</c>.</summary>
    public static bool? Boolean(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.String } text when bool.TryParse(text.GetString(), out bool parsed) => parsed,
        _ => null,
    };
}
