using System.Globalization;

namespace Firecrawl.Streaming;

/// <summary>
/// A range of a job's listing, <c>[Start, Stop)</c> in <c>skip</c> offsets: one share of a big job that several streams
/// read at once (see <see cref="JobStreamOptions.StartAt"/> and <see cref="JobStreamOptions.StopAt"/>).
/// </summary>
public readonly record struct JobRange
{
    /// <summary>Creates a range.</summary>
    /// <param name="start">The first offset.</param>
    /// <param name="stop">The offset after the last (exclusive).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="start"/> is negative, or <paramref name="stop"/> is not after it.</exception>
    public JobRange(long start, long stop)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(stop, start);
        Start = start;
        Stop = stop;
    }

    /// <summary>Gets the first offset.</summary>
    public long Start { get; }

    /// <summary>Gets the offset after the last (exclusive).</summary>
    public long Stop { get; }

    /// <summary>Gets the number of offsets in the range.</summary>
    public long Length => Stop - Start;

    /// <summary>Gets the range as a file-name part that sorts in listing order: <c>00000000-00010000</c>.</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture, $"{Start:D8}-{Stop:D8}");

    /// <summary>Splits the offsets <c>[0, count)</c> into ranges of <paramref name="size"/> (the last may be shorter).</summary>
    /// <param name="count">How many offsets the job lists.</param>
    /// <param name="size">Offsets per range.</param>
    /// <returns>The ranges, in order; none when <paramref name="count"/> is 0.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or <paramref name="size"/> is not positive.</exception>
    public static IReadOnlyList<JobRange> Split(long count, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var ranges = new List<JobRange>((int)Math.Min(int.MaxValue, (count + size - 1) / size));
        for (long start = 0; start < count; start += size)
        {
            ranges.Add(new JobRange(start, Math.Min(count, start + size)));
        }

        return ranges;
    }

    /// <summary>Reads the form <see cref="ToString"/> writes (<c>S-E</c>, leading zeros allowed).</summary>
    /// <param name="text">The text.</param>
    /// <param name="range">The range, when the text is one.</param>
    /// <returns>Whether the text is a range.</returns>
    public static bool TryParse(string? text, out JobRange range)
    {
        range = default;
        int dash = text?.IndexOf('-', StringComparison.Ordinal) ?? -1;
        if (dash <= 0
            || !long.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out long start)
            || !long.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long stop)
            || stop <= start)
        {
            return false;
        }

        range = new JobRange(start, stop);
        return true;
    }

    /// <summary>Writes the range as <c>S-E</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Start}-{Stop}");
}
