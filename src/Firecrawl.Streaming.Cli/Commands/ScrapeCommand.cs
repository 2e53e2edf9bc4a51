using System.CommandLine;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.Running;

namespace Firecrawl.Streaming.Cli.Commands;

/// <summary>
/// <c>fcstream scrape --urls FILE|- [--format markdown,html] --to SINK ...</c>: starts a batch scrape of the URLs
/// (one per line) and streams it into the sinks while it runs.
/// </summary>
internal static class ScrapeCommand
{
    private static readonly string[] KnownFormats = ["markdown", "html", "rawHtml", "links", "screenshot", "summary", "images"];

    public static Command Create(AppServices services)
    {
        var urls = new Option<string>("--urls") { Description = "A file with one URL per line ('-' for standard input); blank lines and lines starting with # are skipped.", Required = true, HelpName = "FILE" };
        Option<string> formats = FormatOption();
        SharedOptions options = SharedOptions.ForStarting();
        var webhook = new WebhookStartOptions();
        var command = new Command("scrape", "Start a batch scrape of a list of URLs and stream its pages into sinks while it runs.") { urls, formats };
        options.AddTo(command);
        webhook.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = new BatchScrapeRequest
            {
                Urls = ReadUrls(services, parse.GetRequiredValue(urls)),
                ScrapeOptions = ScrapeOptionsFrom(parse.GetValue(formats)),
                Webhook = webhook.Webhook(parse),
            };
            if (!options.NamesSinks(parse) && request.Webhook is { } hook)
            {
                // The pages go to the webhook's receiver: start the batch scrape and leave it to it.
                await new JobRunner(services.Console, services.Redactor).StartOnlyAsync(options.Api(parse), (client, ct) => client.StartBatchScrapeAsync(request, ct), hook.Url, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            RunSettings settings = options.Settings(parse, JobKind.BatchScrape, jobId: string.Empty);
            await new JobRunner(services.Console, services.Redactor).StartAndRunAsync(settings, request, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary><c>--format</c>, shared with <c>crawl URL</c>.</summary>
    public static Option<string> FormatOption() => new("--format")
    {
        Description = $"The formats to scrape, comma-separated: {string.Join(", ", KnownFormats)} (default: the server's, markdown).",
        HelpName = "LIST",
    };

    public static PageScrapeOptions? ScrapeOptionsFrom(string? list)
    {
        if (string.IsNullOrWhiteSpace(list))
        {
            return null;
        }

        var formats = new List<ScrapeFormat>();
        foreach (string name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string? known = KnownFormats.FirstOrDefault(f => string.Equals(f, name, StringComparison.OrdinalIgnoreCase));
            formats.Add(known is null
                ? throw CliException.Usage($"--format \"{name}\" is not one of {string.Join(", ", KnownFormats)}.")
                : ScrapeFormat.FromString(known));
        }

        return new PageScrapeOptions { Formats = formats };
    }

    private static List<string> ReadUrls(AppServices services, string path)
    {
        IEnumerable<string> lines;
        try
        {
            lines = path == "-" ? ReadAll(services.Console.In) : File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"The URL list {path} cannot be read: {e.Message}", e);
        }

        List<string> urls = [.. lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];
        return urls.Count > 0 ? urls : throw CliException.Usage($"The URL list {path} holds no URL.");
    }

    private static IEnumerable<string> ReadAll(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }
}
