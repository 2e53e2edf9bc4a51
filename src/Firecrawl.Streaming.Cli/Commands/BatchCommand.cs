using System.CommandLine;

namespace Firecrawl.Streaming.Cli;

/// <summary><c>fcstream batch JOB_ID --to SINK [--to SINK ...]</c>.</summary>
internal static class BatchCommand
{
    public static Command Create(AppContext app)
    {
        var jobId = new Argument<string>("JOB_ID") { Description = "The batch-scrape job id." };
        var to = new Option<string[]>("--to") { Description = $"A sink: {SinkSpec.Syntax}. Repeat for several.", Required = true, Arity = ArgumentArity.OneOrMore };
        var apiUrl = new Option<string>("--api-url") { Description = "The API's address.", DefaultValueFactory = _ => FirecrawlClientOptions.DefaultBaseAddress.ToString() };
        var apiKey = new Option<string?>("--api-key") { Description = "The API key (default: FIRECRAWL_API_KEY)." };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A checkpoint file: resume from it if it exists, keep it current." };
        var poll = new Option<double>("--poll-interval") { Description = "Seconds between polls while the job is still scraping.", DefaultValueFactory = _ => 2 };
        var retries = new Option<int>("--max-retries") { Description = "Retries of a failed request.", DefaultValueFactory = _ => 5 };
        var fields = new Option<string?>("--fields") { Description = "Only these page fields, e.g. markdown,metadata (markdown, html, rawHtml, links, screenshot, summary, metadata, other)." };
        var blob = new Option<string?>("--blob-connection") { Description = "Azure Storage connection string for blob: sinks (default: AZURE_STORAGE_CONNECTION_STRING)." };
        var quiet = new Option<bool>("--quiet") { Description = "No progress display or summary." };
        var command = new Command("batch", "Stream a batch-scrape job into one or more sinks.") { jobId, to, apiUrl, apiKey, checkpoint, poll, retries, fields, blob, quiet };
        command.SetAction(async (parse, cancellationToken) =>
        {
            double seconds = parse.GetValue(poll);
            if (seconds is < 0 or > 3600)
            {
                throw new CliException("--poll-interval must be between 0 and 3600 seconds.");
            }

            if (parse.GetValue(retries) is < 0 or > 100)
            {
                throw new CliException("--max-retries must be between 0 and 100.");
            }

            string url = parse.GetValue(apiUrl)!;
            if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? api) || (api.Scheme != Uri.UriSchemeHttp && api.Scheme != Uri.UriSchemeHttps))
            {
                throw new CliException($"--api-url \"{url}\" is not an absolute http or https URL.");
            }

            string? key = parse.GetValue(apiKey) ?? app.Environment(FirecrawlClientOptions.ApiKeyEnvironmentVariable);
            app.ApiKeyInUse = key;
            var request = new BatchRequest(
                parse.GetValue(jobId)!,
                [.. parse.GetValue(to)!.Select(SinkSpec.Parse)],
                api,
                string.IsNullOrWhiteSpace(key) ? null : key,
                parse.GetValue(checkpoint),
                TimeSpan.FromSeconds(seconds),
                parse.GetValue(retries),
                FieldList.Parse(parse.GetValue(fields)),
                parse.GetValue(blob) ?? app.Environment("AZURE_STORAGE_CONNECTION_STRING"),
                parse.GetValue(quiet));
            return await BatchRun.RunAsync(request, app.Stdout, app.Stderr, app.StderrIsTerminal, cancellationToken);
        });
        return command;
    }
}
