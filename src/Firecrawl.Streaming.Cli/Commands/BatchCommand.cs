using System.CommandLine;
using System.Globalization;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.Running;
using Firecrawl.Streaming.Cli.Sinks;

namespace Firecrawl.Streaming.Cli.Commands;

/// <summary><c>fcstream batch JOB_ID --to SINK [--to SINK ...]</c>: streams a batch-scrape job into sinks.</summary>
internal static class BatchCommand
{
    public static Command Create(AppServices services)
    {
        var jobId = new Argument<string>("JOB_ID") { Description = "The batch-scrape job id." };
        var to = new Option<string[]>("--to")
        {
            Description = $"A sink, repeatable: {SinkSpec.Schemes}.",
            Required = true,
            HelpName = "SINK",
        };
        var apiUrl = new Option<string>("--api-url")
        {
            Description = $"The API's address (default {FirecrawlJobClientOptions.DefaultBaseAddress}).",
            HelpName = "URL",
        };
        var apiKey = new Option<string>("--api-key")
        {
            Description = $"The API key (default: the {BatchRunner.ApiKeyVariable} environment variable); never printed.",
            HelpName = "KEY",
        };
        var checkpoint = new Option<string>("--checkpoint")
        {
            Description = "A checkpoint file: the run resumes after it when it exists, and keeps it current.",
            HelpName = "FILE",
        };
        var checkpointEvery = new Option<int>("--checkpoint-every")
        {
            Description = "Flush the sinks and save the checkpoint after this many pages.",
            HelpName = "PAGES",
            DefaultValueFactory = _ => 250,
        };
        var pollInterval = new Option<string>("--poll-interval")
        {
            Description = "How long to wait before asking again while the job is still scraping, e.g. 500ms, 2s (default 2s).",
            HelpName = "DURATION",
        };
        var maxRetries = new Option<int?>("--max-retries")
        {
            Description = "How many times a failed request (429, 5xx, dropped connection) is retried (default 5).",
            HelpName = "N",
        };
        var fields = new Option<string>("--fields")
        {
            Description = $"Only these page fields are parsed and written, comma-separated: {FieldList.Accepted} (default all).",
            HelpName = "LIST",
        };
        var blobConnection = new Option<string>("--blob-connection")
        {
            Description = $"The storage connection string for blob: sinks (default: the {BatchRunner.BlobConnectionVariable} environment variable); never printed.",
            HelpName = "CONNECTION_STRING",
        };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress display and no summary; errors only." };

        var command = new Command("batch", "Stream a batch-scrape job into one or more sinks.")
        {
            jobId, to, apiUrl, apiKey, checkpoint, checkpointEvery, pollInterval, maxRetries, fields, blobConnection, quiet,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new BatchSettings
            {
                JobId = ParseJobId(parse.GetRequiredValue(jobId)),
                Sinks = SinkSpec.ParseAll(parse.GetValue(to)),
                ApiUrl = ParseApiUrl(parse.GetValue(apiUrl)),
                ApiKey = parse.GetValue(apiKey),
                CheckpointPath = NullIfBlank(parse.GetValue(checkpoint)),
                CheckpointEvery = AtLeast(parse.GetValue(checkpointEvery), 1, "--checkpoint-every"),
                PollInterval = parse.GetValue(pollInterval) is { } poll ? Durations.Parse(poll, "--poll-interval") : null,
                MaxRetries = parse.GetValue(maxRetries) is int retries ? AtLeast(retries, 0, "--max-retries") : null,
                Fields = FieldList.Parse(parse.GetValue(fields)),
                BlobConnection = NullIfBlank(parse.GetValue(blobConnection)),
                Quiet = parse.GetValue(quiet),
            };
            await new BatchRunner(services.Console, services.Redactor).RunAsync(settings, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
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

    private static string ParseJobId(string text)
    {
        string id = text.Trim();
        if (id.Length == 0 || id.Any(c => char.IsWhiteSpace(c) || c is '/' or '?' or '#'))
        {
            throw CliException.Usage($"\"{text}\" is not a batch job id.");
        }

        return id;
    }

    private static int AtLeast(int value, int minimum, string option) =>
        value >= minimum
            ? value
            : throw CliException.Usage(string.Create(CultureInfo.InvariantCulture, $"{option} must be at least {minimum}, not {value}."));

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
