using System.CommandLine;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.Running;

namespace Firecrawl.Streaming.Cli.Commands;

/// <summary><c>fcstream batch JOB_ID --to SINK [--to SINK ...]</c>: streams an existing batch-scrape job into sinks.</summary>
internal static class BatchCommand
{
    public static Command Create(AppServices services)
    {
        var jobId = new Argument<string>("JOB_ID") { Description = "The batch-scrape job id." };
        SharedOptions options = SharedOptions.ForStreaming();
        var command = new Command("batch", "Stream a batch-scrape job into one or more sinks.") { jobId };
        options.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            RunSettings settings = options.Settings(parse, JobKind.BatchScrape, SharedOptions.ParseJobId(parse.GetRequiredValue(jobId), "batch job"));
            await new JobRunner(services.Console, services.Redactor).RunAsync(settings, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
