using System.CommandLine;
using System.Globalization;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.Running;
using Firecrawl.Streaming.Cli.Sinks;

namespace Firecrawl.Streaming.Cli.Commands;

/// <summary>
/// The options every command that talks to the API shares (<c>--api-url</c>, <c>--api-key</c>, <c>--max-retries</c>),
/// and those every command that streams into sinks shares besides: defined once, so they mean the same everywhere.
/// </summary>
internal sealed class SharedOptions
{
    private readonly Option<string[]>? _to;
    private readonly Option<string> _apiUrl = new("--api-url")
    {
        Description = $"The API's address (default {FirecrawlJobClientOptions.DefaultBaseAddress}).",
        HelpName = "URL",
    };

    private readonly Option<string> _apiKey = new("--api-key")
    {
        Description = $"The API key (default: the {JobRunner.ApiKeyVariable} environment variable); never printed.",
        HelpName = "KEY",
    };

    private readonly Option<int?> _maxRetries = new("--max-retries")
    {
        Description = "How many times a failed request (429, 5xx, dropped connection) is retried (default 5).",
        HelpName = "N",
    };

    private readonly Option<string>? _checkpoint;
    private readonly Option<int>? _checkpointEvery;
    private readonly Option<string>? _pollInterval;
    private readonly Option<string>? _fields;
    private readonly Option<string>? _blobConnection;
    private readonly Option<string>? _deadLetters;
    private readonly Option<bool>? _quiet;

    private SharedOptions(bool streams)
    {
        if (!streams)
        {
            return;
        }

        _to = new Option<string[]>("--to") { Description = $"A sink, repeatable: {SinkSpec.Schemes}.", Required = true, HelpName = "SINK" };
        _checkpoint = new Option<string>("--checkpoint")
        {
            Description = "A checkpoint file: the run resumes after it when it exists, and keeps it current.",
            HelpName = "FILE",
        };
        _checkpointEvery = new Option<int>("--checkpoint-every")
        {
            Description = "Flush the sinks and save the checkpoint after this many pages.",
            HelpName = "PAGES",
            DefaultValueFactory = _ => 250,
        };
        _pollInterval = new Option<string>("--poll-interval")
        {
            Description = "How long to wait before asking again while the job is still scraping, e.g. 500ms, 2s (default 2s).",
            HelpName = "DURATION",
        };
        _fields = new Option<string>("--fields")
        {
            Description = $"Only these page fields are parsed and written, comma-separated: {FieldList.Accepted} (default all).",
            HelpName = "LIST",
        };
        _blobConnection = new Option<string>("--blob-connection")
        {
            Description = $"The storage connection string for blob: sinks (default: the {JobRunner.BlobConnectionVariable} environment variable); never printed.",
            HelpName = "CONNECTION_STRING",
        };
        _deadLetters = new Option<string>("--dead-letters")
        {
            Description = "A JSON Lines file for pages a sink cannot store (with the error); the run goes on. Default: such a page fails the run.",
            HelpName = "FILE",
        };
        _quiet = new Option<bool>("--quiet", "-q") { Description = "No progress display and no summary; errors only." };
    }

    /// <summary>The options of a command that streams a job into sinks.</summary>
    public static SharedOptions ForStreaming() => new(streams: true);

    /// <summary>
    /// The options of a command that starts a job and streams it: <c>--to</c> may be left out when the job pushes its
    /// events to a <c>--webhook</c> instead (see <see cref="NamesSinks"/>).
    /// </summary>
    public static SharedOptions ForStarting()
    {
        var options = new SharedOptions(streams: true);
        options._to!.Required = false;
        return options;
    }

    /// <summary>Whether any <c>--to</c> was given.</summary>
    public bool NamesSinks(ParseResult parse) => _to is not null && parse.GetValue(_to) is { Length: > 0 };

    /// <summary>The options of a command that only calls the API (cancel, errors).</summary>
    public static SharedOptions ForApiCalls() => new(streams: false);

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option? option in new Option?[] { _to, _apiUrl, _apiKey, _checkpoint, _checkpointEvery, _pollInterval, _maxRetries, _fields, _blobConnection, _deadLetters, _quiet })
        {
            if (option is not null)
            {
                command.Options.Add(option);
            }
        }
    }

    /// <summary>The settings of a run that streams <paramref name="jobId"/> (null until a start names it).</summary>
    public RunSettings Settings(ParseResult parse, JobKind kind, string jobId)
    {
        if (_to is null)
        {
            throw new InvalidOperationException("These options do not stream.");
        }

        return new RunSettings
        {
            Kind = kind,
            JobId = jobId,
            Sinks = SinkSpec.ParseAll(parse.GetValue(_to)),
            ApiUrl = ParseApiUrl(parse.GetValue(_apiUrl)),
            ApiKey = parse.GetValue(_apiKey),
            CheckpointPath = NullIfBlank(parse.GetValue(_checkpoint!)),
            CheckpointEvery = AtLeast(parse.GetValue(_checkpointEvery!), 1, "--checkpoint-every"),
            PollInterval = parse.GetValue(_pollInterval!) is { } poll ? Durations.Parse(poll, "--poll-interval") : null,
            MaxRetries = MaxRetries(parse),
            Fields = FieldList.Parse(parse.GetValue(_fields!)),
            BlobConnection = NullIfBlank(parse.GetValue(_blobConnection!)),
            DeadLetterPath = NullIfBlank(parse.GetValue(_deadLetters!)),
            Quiet = parse.GetValue(_quiet!),
        };
    }

    /// <summary>The connection settings alone, for commands that only call the API.</summary>
    public ApiSettings Api(ParseResult parse) => new(ParseApiUrl(parse.GetValue(_apiUrl)), parse.GetValue(_apiKey), MaxRetries(parse));

    /// <summary>A job id as typed: no whitespace, slashes or query characters (a URL is not an id).</summary>
    public static string ParseJobId(string text, string what)
    {
        string id = text.Trim();
        if (id.Length == 0 || id.Any(c => char.IsWhiteSpace(c) || c is '/' or '?' or '#'))
        {
            throw CliException.Usage($"\"{text}\" is not a {what} id.");
        }

        return id;
    }

    internal static Uri ParseApiUrl(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return FirecrawlJobClientOptions.DefaultBaseAddress;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw CliException.Usage($"--api-url \"{text}\" is not an http or https URL.");
        }

        return uri;
    }

    internal static int AtLeast(int value, int minimum, string option) =>
        value >= minimum
            ? value
            : throw CliException.Usage(string.Create(CultureInfo.InvariantCulture, $"{option} must be at least {minimum}, not {value}."));

    private int? MaxRetries(ParseResult parse) => parse.GetValue(_maxRetries) is int retries ? AtLeast(retries, 0, "--max-retries") : null;

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
