using System.Collections;

namespace Firecrawl.Streaming;

/// <summary>
/// A metadata value that the server sends either as one string or as an array of strings
/// (a <c>&lt;meta&gt;</c> tag that repeats becomes an array).
/// </summary>
public readonly struct MetadataText : IReadOnlyList<string>, IEquatable<MetadataText>
{
    private readonly object? _value; // null, string or string[]

    /// <summary>Creates a value holding one string.</summary>
    /// <param name="value">The string, or <see langword="null"/> for an absent value.</param>
    public MetadataText(string? value) => _value = value;

    /// <summary>Creates a value holding an array of strings.</summary>
    /// <param name="values">The strings.</param>
    public MetadataText(string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _value = values;
    }

    /// <summary>Gets a value indicating whether the server sent no value (absent or <c>null</c>).</summary>
    public bool IsEmpty => _value is null || _value is string[] { Length: 0 };

    /// <summary>Gets a value indicating whether the server sent an array.</summary>
    public bool IsArray => _value is string[];

    /// <summary>Gets the number of strings.</summary>
    public int Count => _value switch { null => 0, string => 1, string[] a => a.Length, _ => 0 };

    /// <summary>Gets the first string, or <see langword="null"/>.</summary>
    public string? First => _value switch { string s => s, string[] { Length: > 0 } a => a[0], _ => null };

    /// <summary>Gets the string at <paramref name="index"/>.</summary>
    /// <param name="index">The zero-based index.</param>
    public string this[int index] => _value switch
    {
        string s when index == 0 => s,
        string[] a => a[index],
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>Returns the strings joined with <c>", "</c>, or an empty string.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => _value switch
    {
        string s => s,
        string[] a => string.Join(", ", a),
        _ => string.Empty,
    };

    /// <summary>Converts the value to its text (see <see cref="ToString"/>), or <see langword="null"/> when empty.</summary>
    /// <param name="value">The value.</param>
    public static implicit operator string?(MetadataText value) => value.IsEmpty ? null : value.ToString();

    /// <inheritdoc/>
    public IEnumerator<string> GetEnumerator()
    {
        switch (_value)
        {
            case string s:
                yield return s;
                break;
            case string[] a:
                foreach (string item in a)
                {
                    yield return item;
                }

                break;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public bool Equals(MetadataText other) => this.SequenceEqual(other) && IsArray == other.IsArray;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is MetadataText other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    /// <summary>Compares two values.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(MetadataText left, MetadataText right) => left.Equals(right);

    /// <summary>Compares two values.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when different.</returns>
    public static bool operator !=(MetadataText left, MetadataText right) => !left.Equals(right);
}
