using System.CommandLine;
using Firecrawl.Streaming.Cli.Errors;

namespace Firecrawl.Streaming.Cli.Commands;

/// <summary><c>--webhook URL</c> and <c>--webhook-event EVENT</c>: the commands that start a job ask Firecrawl to push its events there.</summary>
internal sealed class WebhookStartOptions
{
    private static readonly string[] KnownEvents = ["started", "page", "completed", "failed"];

    private readonly Option<string> _url = new("--webhook")
    {
        Description = "Have Firecrawl push the job's events (signed) to this URL, e.g. an 'fcstream listen' receiver.",
        HelpName = "URL",
    };

    private readonly Option<string[]> _events = new("--webhook-event")
    {
        Description = $"Only these events are pushed, repeatable: {string.Join(", ", KnownEvents)} (default all).",
        HelpName = "EVENT",
        AllowMultipleArgumentsPerToken = true,
    };

    public IEnumerable<Option> All => [_url, _events];

    public void AddTo(Command command)
    {
        command.Options.Add(_url);
        command.Options.Add(_events);
    }

    /// <summary>The webhook the start request names, or null.</summary>
    public JobWebhook? Webhook(ParseResult parse)
    {
        string? text = parse.GetValue(_url);
        string[] events = parse.GetValue(_events) ?? [];
        if (string.IsNullOrWhiteSpace(text))
        {
            return events.Length > 0 ? throw CliException.Usage("--webhook-event needs --webhook URL.") : null;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out Uri? url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw CliException.Usage($"--webhook \"{text}\" is not an http or https URL.");
        }

        foreach (string e in events)
        {
            string name = e.Contains('.', StringComparison.Ordinal) ? e[(e.IndexOf('.', StringComparison.Ordinal) + 1)..] : e;
            if (!KnownEvents.Contains(name, StringComparer.Ordinal))
            {
                throw CliException.Usage($"--webhook-event \"{e}\" is not one of {string.Join(", ", KnownEvents)}.");
            }
        }

        return new JobWebhook { Url = url, Events = events.Length > 0 ? events : null };
    }
}
