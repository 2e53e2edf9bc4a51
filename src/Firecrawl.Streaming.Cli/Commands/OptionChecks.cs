using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Firecrawl.Streaming.Cli.Commands;

/// <summary>
/// Range checks as System.CommandLine validators, so a bad value is a parse error (usage, exit code 2) reported with
/// the others before any command runs.
/// </summary>
internal static class OptionChecks
{
    public static Option<int> AtLeast(this Option<int> option, int minimum)
    {
        option.Validators.Add(result => Check(result, result.GetValueOrDefault<int>(), minimum, int.MaxValue));
        return option;
    }

    public static Option<int?> AtLeast(this Option<int?> option, int minimum)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is int value)
            {
                Check(result, value, minimum, int.MaxValue);
            }
        });
        return option;
    }

    public static Option<int> Between(this Option<int> option, int minimum, int maximum)
    {
        option.Validators.Add(result => Check(result, result.GetValueOrDefault<int>(), minimum, maximum));
        return option;
    }

    /// <summary>A duration option: <c>500ms</c>, <c>2s</c>, <c>1m</c>, seconds, or <c>hh:mm:ss</c>, parsed by <see cref="Durations"/>.</summary>
    public static Option<TimeSpan?> Duration(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "DURATION",
        CustomParser = result =>
        {
            try
            {
                return Durations.Parse(result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty, name);
            }
            catch (Errors.CliException e)
            {
                result.AddError(e.Message);
                return null;
            }
        },
    };

    private static void Check(OptionResult result, int value, int minimum, int maximum)
    {
        string name = result.Option.Name;
        if (value < minimum && maximum == int.MaxValue)
        {
            result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be at least {minimum}, not {value}."));
        }
        else if (value < minimum || value > maximum)
        {
            result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be between {minimum} and {maximum}, not {value}."));
        }
    }
}
