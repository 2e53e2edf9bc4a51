using System.CommandLine;
using System.Globalization;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.Running;

namespace Firecrawl.Streaming.Cli.Commands;

/// <summary>
/// The commands that act on a job by id: <c>cancel</c>, <c>errors</c> and <c>retry-failed</c>. Each takes
/// <c>--crawl</c> when the id is a crawl's; without it the kind is asked of the API.
/// </summary>
internal static class JobCommands
{
    public static Command Cancel(AppServices services)
    {
        var jobId = new Argument<string>("JOB_ID") { Description = "The batch scrape's or crawl's id." };
        var crawl = CrawlFlag();
        SharedOptions options = SharedOptions.ForApiCalls();
        var command = new Command("cancel", "Cancel a running batch scrape or crawl.") { jobId, crawl };
        options.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            string id = SharedOptions.ParseJobId(parse.GetRequiredValue(jobId), "job");
            using FirecrawlJobClient client = ApiClients.Create(services.Console, services.Redactor, options.Api(parse));
            JobKind kind = await ApiClients.KindOfAsync(client, id, parse.GetValue(crawl), cancellationToken).ConfigureAwait(false);
            JobStatus status = await client.CancelAsync(kind, id, cancellationToken).ConfigureAwait(false);
            services.Console.Error.WriteLine($"Cancelled {ApiClients.Noun(kind)} {id} (status {status.Status}).");
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Errors(AppServices services)
    {
        var jobId = new Argument<string>("JOB_ID") { Description = "The batch scrape's or crawl's id." };
        var crawl = CrawlFlag();
        SharedOptions options = SharedOptions.ForApiCalls();
        var command = new Command("errors", "List the URLs a job failed to scrape, and those robots.txt blocked: one per line, URL TAB reason.") { jobId, crawl };
        options.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            string id = SharedOptions.ParseJobId(parse.GetRequiredValue(jobId), "job");
            using FirecrawlJobClient client = ApiClients.Create(services.Console, services.Redactor, options.Api(parse));
            JobKind kind = await ApiClients.KindOfAsync(client, id, parse.GetValue(crawl), cancellationToken).ConfigureAwait(false);
            JobErrors errors = await client.GetErrorsAsync(kind, id, cancellationToken).ConfigureAwait(false);
            TextWriter output = services.Console.Out;
            foreach (ScrapeFailure failure in errors.Errors)
            {
                output.WriteLine($"{failure.Url}\t{OneLine(failure.Error ?? failure.Code ?? "failed")}");
            }

            foreach (string url in errors.RobotsBlocked)
            {
                output.WriteLine($"{url}\tblocked by robots.txt");
            }

            output.Flush();
            services.Console.Error.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{ApiClients.Noun(kind)} {id}: {errors.Errors.Count:N0} failed, {errors.RobotsBlocked.Count:N0} blocked by robots.txt."));
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command RetryFailed(AppServices services)
    {
        var jobId = new Argument<string>("JOB_ID") { Description = "The finished batch scrape's or crawl's id whose failed URLs to scrape again." };
        var crawl = CrawlFlag();
        SharedOptions options = SharedOptions.ForStreaming();
        var command = new Command("retry-failed", "Start a batch scrape of the URLs a finished job failed to scrape, and stream it into sinks.") { jobId, crawl };
        options.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            string id = SharedOptions.ParseJobId(parse.GetRequiredValue(jobId), "job");
            RunSettings settings = options.Settings(parse, JobKind.BatchScrape, jobId: string.Empty);
            await new JobRunner(services.Console, services.Redactor).StartAndRunAsync(
                settings,
                async (client, ct) =>
                {
                    JobKind kind = await ApiClients.KindOfAsync(client, id, parse.GetValue(crawl), ct).ConfigureAwait(false);
                    return await client.RetryFailedAsync(kind, id, null, ct).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary><c>--crawl</c>: the id is a crawl's (saves the request that asks the API).</summary>
    public static Option<bool> CrawlFlag() => new("--crawl") { Description = "The id is a crawl's (default: ask the API which kind of job it is)." };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Replace('\t', ' ');
}
