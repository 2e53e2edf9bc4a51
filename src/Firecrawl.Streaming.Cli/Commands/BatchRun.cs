using System.Globalization;
using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Sinks;

namespace Firecrawl.Streaming.Cli;

/// <summary>Everything one <c>batch</c> run needs; the <c>demo</c> command fills it in for its fake server.</summary>
internal sealed record BatchRequest(
    string JobId,
    IReadOnlyList<SinkSpec> Sinks,
    Uri ApiUrl,
    string? ApiKey,
    string? CheckpointPath,
    TimeSpan PollInterval,
    int MaxRetries,
    PageFields Fields,
    string? BlobConnection,
    bool Quiet);

/// <summary>Streams a job into its sinks with progress and a summary: the one code path of <c>batch</c> and <c>demo</c>.</summary>
internal static class BatchRun
{
    public static async Task<int> RunAsync(BatchRequest request, TextWriter stdout, TextWriter stderr, bool stderrIsTerminal, CancellationToken cancellationToken)
    {
        var options = new FirecrawlClientOptions
        {
            ApiKey = request.ApiKey,
            BaseAddress = request.ApiUrl,
            PollInterval = request.PollInterval,
            MaxRetries = request.MaxRetries,
            RetryBaseDelay = TimeSpan.FromMilliseconds(500),
        };
        if (options.ResolveApiKey() is null)
        {
            throw new CliException("No Firecrawl API key: pass --api-key or set FIRECRAWL_API_KEY.");
        }

        using var client = new FirecrawlClient(options);
        bool toStdout = request.Sinks.Any(s => s.WritesToStandardOutput);
        var display = new RunDisplay(stderr, interactive: stderrIsTerminal && !toStdout, request.Quiet, request.JobId);
        List<IPageSink> sinks = [];
        try
        {
            foreach (SinkSpec spec in request.Sinks)
            {
                sinks.Add(spec.Create(request.BlobConnection, stdout));
            }
        }
        catch
        {
            foreach (IPageSink sink in sinks)
            {
                await sink.DisposeAsync();
            }

            throw;
        }

        var pipeline = new PipelineOptions
        {
            Checkpoint = request.CheckpointPath is null ? null : new FileCheckpointStore(request.CheckpointPath),
            // Frequent checkpoints: Ctrl+C then loses little, at the price of a flush every 100 pages or second.
            CheckpointInterval = 100,
            CheckpointPeriod = TimeSpan.FromSeconds(1),
            StreamOptions = new BatchStreamOptions { Fields = request.Fields },
            Progress = display,
            ProgressInterval = TimeSpan.FromMilliseconds(stderrIsTerminal ? 200 : 1000),
        };

        PipelineResult result;
        try
        {
            result = await display.RunAsync(() => client.StreamBatchToSinksAsync(request.JobId, sinks, pipeline, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            string resume = request.CheckpointPath is null
                ? "run again with --checkpoint FILE to be able to resume"
                : $"run the same command again to resume from {request.CheckpointPath}";
            throw new CliException($"Cancelled; {resume}.", ExitCodes.Cancelled);
        }

        display.Summary(result, await ReconcileAsync(client, request.JobId, result, display.Latest, request.CheckpointPath is not null, cancellationToken));
        return ExitCodes.Success;
    }

    /// <summary>Pages delivered against the job's <c>completed</c> count, with the failed URLs when they differ.</summary>
    private static async Task<string> ReconcileAsync(FirecrawlClient client, string jobId, PipelineResult result, PipelineProgress? last, bool resumable, CancellationToken cancellationToken)
    {
        long? completed = last?.JobStatus?.Completed;
        string delivered = string.Create(CultureInfo.InvariantCulture, $"Delivered {result.PagesRead:N0} pages in {result.Elapsed.TotalSeconds:0.0} s");
        if (completed is null)
        {
            return delivered + ".";
        }

        if (completed == result.PagesRead)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{delivered}; the job reports {completed:N0} completed: all accounted for.");
        }

        string line = string.Create(CultureInfo.InvariantCulture, $"{delivered}; the job reports {completed:N0} completed{(resumable ? " (pages written by an earlier, resumed run are not counted again)" : "")}.");
        try
        {
            BatchScrapeErrors errors = await client.GetBatchErrorsAsync(jobId, cancellationToken);
            if (errors.Errors.Count > 0)
            {
                line += Environment.NewLine + $"Failed URLs ({errors.Errors.Count}):" + Environment.NewLine
                    + string.Join(Environment.NewLine, errors.Errors.Take(20).Select(e => $"  {e.Url}  {e.Error}"));
            }
        }
        catch (FirecrawlException e)
        {
            line += $" (The failed URLs could not be fetched: {e.Message})";
        }

        return line;
    }
}
