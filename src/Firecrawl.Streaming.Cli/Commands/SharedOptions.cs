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
        Description = $"The API's address (default: the {FirecrawlJobClientOptions.ApiUrlEnvironmentVariable} environment variable, else {FirecrawlJobClientOptions.DefaultBaseAddress}).",
        HelpName = "URL",
    };

    private readonly Option<string> _apiKey = new("--api-key")
    {
        Description = $"The API key (default: the {JobRunner.ApiKeyVariable} environment variable); never printed.",
        HelpName = "KEY",
    };

    private readonly Option<int?> _maxRetries = new Option<int?>("--max-retries")
    {
        Description = "How many times a failed request (429, 5xx, dropped connection) is retried (default 5).",
        HelpName = "N",
    }.AtLeast(0);

    private readonly Option<string>? _checkpoint;
    private readonly Option<int>? _checkpointEvery;
    private readonly Option<TimeSpan?>? _pollInterval;
    private readonly Option<bool>? _json;
    private readonly Option<string>? _fields;
    private readonly Option<string>? _blobConnection;
    private readonly Option<string>? _pgConnection;
    private readonly Option<string>? _deadLetters;
    private readonly Option<bool>? _quiet;
    private readonly Option<int?>? _chunkLimit;
    private readonly Option<int?>? _concurrency;

    private SharedOptions(bool streams)
    {
        if (!streams)
        {
            return;
        }

        _to = new Option<string[]>("--to") { Description = $"A sink, repeatable: {SinkSpec.Schemes}.", Required = true, HelpName = "SINK" };
        _checkpoint = new Option<string>("--checkpoint")
        {
            Description = "A checkpoint file: the run resumes after it when it exists, and keeps it current. \"postgres\" keeps it in the postgres: sink's database, in the same transaction as each batch.",
            HelpName = "FILE",
        };
        _checkpointEvery = new Option<int>("--checkpoint-every")
        {
            Description = "Flush the sinks and save the checkpoint after this many pages.",
            HelpName = "PAGES",
            DefaultValueFactory = _ => 250,
        }.AtLeast(1);
        _pollInterval = OptionChecks.Duration("--poll-interval", "How long to wait before asking again while the job is still scraping, e.g. 500ms, 2s (default 2s).");
        _fields = new Option<string>("--fields")
        {
            Description = $"Only these page fields are parsed and written, comma-separated: {FieldList.Accepted} (default all).",
            HelpName = "LIST",
        };
        _blobConnection = new Option<string>("--blob-connection")
        {
            Description = $"The storage connection string, or the account URL (https://ACCOUNT.blob.core.windows.net, signed in with DefaultAzureCredential), for blob: sinks (default: the {JobRunner.BlobConnectionVariable} environment variable); never printed.",
            HelpName = "CONNECTION_STRING",
        };
        _pgConnection = new Option<string>("--pg-connection")
        {
            Description = "The PostgreSQL connection string for postgres: sinks and --checkpoint postgres (default and fill-in: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE); never printed.",
            HelpName = "CONNECTION_STRING",
        };
        _deadLetters = new Option<string>("--dead-letters")
        {
            Description = "A JSON Lines file for pages a sink cannot store (with the error); the run goes on. Default: such a page fails the run.",
            HelpName = "FILE",
        };
        _quiet = new Option<bool>("--quiet", "-q") { Description = "No progress display and no summary; errors only." };
        _chunkLimit = new Option<int?>("--chunk-limit")
        {
            Description = "Pages asked for per request, 1 to 1000 (default 1000: the server's 10 MiB response cap sizes each chunk).",
            HelpName = "N",
        }.AtLeast(1);
        _concurrency = new Option<int?>("--concurrency")
        {
            Description = "Response bodies transferred at once, 1 to 64 (requests go out ahead of them to hide the server's latency); pages still come out in job order (default 2).",
            HelpName = "N",
        }.AtLeast(1);
        _json = new Option<bool>("--json")
        {
            Description = "Print the final summary and coverage report as one JSON object on standard output (not with jsonl:-).",
        };
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
        foreach (Option? option in new Option?[] { _to, _apiUrl, _apiKey, _checkpoint, _checkpointEvery, _pollInterval, _maxRetries, _fields, _blobConnection, _pgConnection, _deadLetters, _quiet, _chunkLimit, _concurrency, _json })
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

        var settings = new RunSettings
        {
            Kind = kind,
            JobId = jobId,
            Sinks = SinkSpec.ParseAll(parse.GetValue(_to)),
            ApiUrl = ParseApiUrl(parse.GetValue(_apiUrl)),
            ApiKey = parse.GetValue(_apiKey),
            CheckpointPath = NullIfBlank(parse.GetValue(_checkpoint!)),
            CheckpointEvery = parse.GetValue(_checkpointEvery!),
            PollInterval = parse.GetValue(_pollInterval!),
            MaxRetries = parse.GetValue(_maxRetries),
            Fields = FieldList.Parse(parse.GetValue(_fields!)),
            BlobConnection = NullIfBlank(parse.GetValue(_blobConnection!)),
            PgConnection = NullIfBlank(parse.GetValue(_pgConnection!)),
            DeadLetterPath = NullIfBlank(parse.GetValue(_deadLetters!)),
            Quiet = parse.GetValue(_quiet!),
            ChunkLimit = parse.GetValue(_chunkLimit!) is int limit ? limit : null,
            Concurrency = parse.GetValue(_concurrency!) is int concurrency ? concurrency : null,
            Json = parse.GetValue(_json!),
        };
        if (settings.Json && settings.Sinks.Any(s => s.IsStdout))
        {
            // Checked before anything starts: a job started and then refused would be paid for and left unread.
            throw CliException.Usage("--json prints the summary on standard output, where jsonl:- writes the pages; use one or the other.");
        }

        return settings;
    }

    /// <summary>The connection settings alone, for commands that only call the API.</summary>
    public ApiSettings Api(ParseResult parse) => new(ParseApiUrl(parse.GetValue(_apiUrl)), parse.GetValue(_apiKey), parse.GetValue(_maxRetries));

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

    /// <summary>An API address as given (<c>--api-url</c> or <c>FIRECRAWL_API_URL</c>); null when none was.</summary>
    internal static Uri? ParseApiUrl(string? text, string source = "--api-url")
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw CliException.Usage($"{source} \"{text}\" is not an http or https URL.");
        }

        return uri;
    }

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
