using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.IO;
using Firecrawl.Streaming.Cli.Sinks;

namespace Firecrawl.Streaming.Cli.Running;

/// <summary>The broker's address: <c>--amqp URL</c>, else the <c>FCSTREAM_AMQP_URL</c> variable. Its password is a secret.</summary>
internal static class AmqpUrl
{
    public const string Variable = SinkSpec.AmqpVariable;

    /// <summary>Reads the URL from the option or the environment and registers its password (and the whole URL) with the redactor.</summary>
    /// <returns>The URL, or null when neither gives one.</returns>
    /// <exception cref="CliException">The text is not an amqp:// or amqps:// URL.</exception>
    public static Uri? Resolve(string? option, CliConsole console, Redactor redactor)
    {
        string? text = string.IsNullOrWhiteSpace(option) ? console.GetVariable(Variable) : option;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        redactor.Add(text);
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out Uri? uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
        {
            throw CliException.Usage("The broker address is not an amqp:// or amqps:// URL.");
        }

        int colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            redactor.Add(Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]));
        }

        return uri;
    }

    /// <summary>Resolves the URL and requires one.</summary>
    public static Uri Require(string? option, CliConsole console, Redactor redactor) =>
        Resolve(option, console, redactor) ?? throw CliException.Usage($"Name the broker with --amqp URL or the {Variable} variable.");
}
