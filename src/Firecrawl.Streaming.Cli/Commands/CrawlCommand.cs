using System.CommandLine;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.Running;

namespace Firecrawl.Streaming.Cli.Commands;

/// <summary>
/// <c>fcstream crawl JOB_ID --to SINK ...</c> streams an existing crawl; <c>fcstream crawl URL [--limit N] ...</c>
/// starts a crawl of the site and streams it while it runs.
/// </summary>
internal static class CrawlCommand
{
    public static Command Create(AppServices services)
    {
        var target = new Argument<string>("JOB_ID_OR_URL") { Description = "A crawl's id to stream, or an http(s) URL to start crawling." };
        SharedOptions options = SharedOptions.ForStarting();
        CrawlStartOptions start = new();
        var command = new Command("crawl", "Stream a crawl into sinks; given a URL, start the crawl first.") { target };
        options.AddTo(command);
        start.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            string given = parse.GetRequiredValue(target).Trim();
            var runner = new JobRunner(services.Console, services.Redactor);
            if (Uri.TryCreate(given, UriKind.Absolute, out Uri? url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
            {
                CrawlRequest request = start.Request(parse, url);
                if (!options.NamesSinks(parse) && request.Webhook is { } webhook)
                {
                    // The pages go to the webhook's receiver: start the crawl and leave it to it.
                    await runner.StartOnlyAsync(options.Api(parse), (client, ct) => client.StartCrawlAsync(request, ct), webhook.Url, cancellationToken).ConfigureAwait(false);
                    return ExitCodes.Success;
                }

                RunSettings settings = options.Settings(parse, JobKind.Crawl, jobId: string.Empty);
                await runner.StartAndRunAsync(settings, request, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                start.EnsureUnused(parse);
                RunSettings settings = options.Settings(parse, JobKind.Crawl, SharedOptions.ParseJobId(given, "crawl"));
                await runner.RunAsync(settings, cancellationToken).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
