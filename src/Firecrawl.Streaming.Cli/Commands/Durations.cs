using System.Globalization;
using Firecrawl.Streaming.Cli.Errors;

namespace Firecrawl.Streaming.Cli.Commands;

/// <summary>Parses durations as people type them: <c>500ms</c>, <c>2s</c>, <c>1.5m</c>, <c>2</c> (seconds) or <c>00:00:02</c>.</summary>
internal static class Durations
{
    public static TimeSpan Parse(string text, string option)
    {
        string value = text.Trim();
        (string Suffix, double Scale)[] units = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)];
        foreach ((string suffix, double scale) in units)
        {
            if (value.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(value[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out double amount))
            {
                return Checked(amount * scale, text, option);
            }
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
        {
            return Checked(seconds * 1000, text, option);
        }

        if (TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out TimeSpan span) && span >= TimeSpan.Zero)
        {
            return span;
        }

        throw CliException.Usage($"{option} \"{text}\" is not a duration; use e.g. 500ms, 2s or 1m.");
    }

    private static TimeSpan Checked(double milliseconds, string text, string option) =>
        milliseconds is >= 0 and <= 86_400_000
            ? TimeSpan.FromMilliseconds(milliseconds)
            : throw CliException.Usage($"{option} \"{text}\" is out of range; use a duration from 0 to 24h.");
}
