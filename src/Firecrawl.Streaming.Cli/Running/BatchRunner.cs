using System.Globalization;
using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.IO;
using Firecrawl.Streaming.Cli.Progress;
using Firecrawl.Streaming.Cli.Sinks;
using Firecrawl.Streaming.Pipeline;

namespace Firecrawl.Streaming.Cli.Running;

/// <summary>
/// Streams one job into sinks with a progress display and a summary: the code path of every command that
/// streams. Resuming from the checkpoint, coverage and the errors endpoint are the library's; this adds the display.
/// </summary>
internal sealed class BatchRunner(CliConsole console, Redactor redactor)
{
    public const string ApiKeyVariable = FirecrawlJobClientOptions.ApiKeyEnvironmentVariable;
    public const string BlobConnectionVariable = "AZURE_STORAGE_CONNECTION_STRING";

    /// <summary>Runs the job to its end and returns what it did.</summary>
    /// <exception cref="CliException">The run failed or was cancelled; the message is the sentence to show.</exception>
    public async Task<RunReport> RunAsync(BatchSettings settings, CancellationToken cancellationToken)
    {
        string apiKey = ResolveKey(settings);
        string? blobConnection = settings.BlobConnection ?? console.GetVariable(BlobConnectionVariable);
        redactor.Add(blobConnection);
        IRunDisplay display = ChooseDisplay(settings);

        using FirecrawlJobClient client = CreateClient(settings, apiKey);
        FileCheckpointStore? store = settings.CheckpointPath is { } path ? new FileCheckpointStore(path) : null;
        IReadOnlyList<IPageSink> sinks = OpenSinks(settings.Sinks, blobConnection);
        var monitor = new RunMonitor(settings.JobId, [.. sinks.Select(s => s.Name)]);
        var options = new PipelineOptions
        {
            Checkpoint = store,
            CheckpointInterval = settings.CheckpointEvery,

            // A slow job still checkpoints often enough that Ctrl+C loses little.
            CheckpointPeriod = TimeSpan.FromSeconds(10),
            Progress = monitor,
            ProgressInterval = display.ProgressInterval,
            StreamOptions = new JobStreamOptions { Fields = settings.Fields },
        };

        PipelineResult result;
        try
        {
            result = await display.ShowAsync(
                monitor,
                () => client.StreamJobToSinksAsync(settings.Kind, settings.JobId, sinks, options, cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Cancelled, CancelledSentence(settings, monitor));
        }
        catch (JobStreamException e) when (e.ErrorCode == JobStreamErrorCode.InvalidResumeToken && settings.CheckpointPath is not null)
        {
            // The checkpoint file is at fault, not the API.
            throw CliException.Usage($"The checkpoint {settings.CheckpointPath} cannot resume {KindName(settings.Kind)} {settings.JobId}: {e.Message.TrimEnd('.')}; use one checkpoint file per job.", e);
        }

        JobCoverage coverage = result.Coverage ?? new JobCoverage { Kind = settings.Kind, JobId = settings.JobId };
        var report = new RunReport(settings.JobId, result, coverage, Reconciliation.Create(coverage, result.PagesRead));
        display.Summary(report);
        return report;
    }

    private static string KindName(JobKind kind) => kind == JobKind.Crawl ? "crawl" : "batch scrape";

    private string ResolveKey(BatchSettings settings)
    {
        string? key = string.IsNullOrWhiteSpace(settings.ApiKey) ? console.GetVariable(ApiKeyVariable) : settings.ApiKey;
        if (string.IsNullOrWhiteSpace(key))
        {
            throw CliException.Usage($"No Firecrawl API key: pass --api-key or set {ApiKeyVariable}.");
        }

        redactor.Add(key);
        return key.Trim();
    }

    private IRunDisplay ChooseDisplay(BatchSettings settings)
    {
        if (settings.Quiet)
        {
            return new QuietDisplay();
        }

        // Pages on standard output and an animation on standard error share one terminal: keep to plain lines.
        return console.ErrorIsTerminal && !settings.Sinks.Any(s => s.IsStdout)
            ? new AnimatedDisplay(console.Error, detectAnsi: console.IsProcessConsole)
            : new PlainDisplay(console.Error);
    }

    private static FirecrawlJobClient CreateClient(BatchSettings settings, string apiKey)
    {
        var options = new FirecrawlJobClientOptions { ApiKey = apiKey, BaseAddress = settings.ApiUrl };
        if (settings.MaxRetries is int retries)
        {
            options.MaxRetries = retries;
        }

        if (settings.PollInterval is TimeSpan poll)
        {
            options.PollInterval = poll;
        }

        if (settings.RetryBaseDelay is TimeSpan delay)
        {
            options.RetryBaseDelay = delay;
            options.MaxRetryDelay = TimeSpan.FromTicks(Math.Max(delay.Ticks * 32, options.MaxRetryDelay.Ticks / 8));
        }

        try
        {
            return new FirecrawlJobClient(options);
        }
        catch (ArgumentException e)
        {
            throw CliException.Usage(ErrorReporter.WithoutParameter(e), e);
        }
    }

    private List<IPageSink> OpenSinks(IReadOnlyList<SinkSpec> specs, string? blobConnection)
    {
        var sinks = new List<IPageSink>(specs.Count);
        try
        {
            foreach (SinkSpec spec in specs)
            {
                sinks.Add(spec.Create(console, blobConnection));
            }

            return sinks;
        }
        catch
        {
            // The pipeline owns the sinks once it starts; until then they are ours to close.
            foreach (IPageSink sink in sinks)
            {
                sink.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            throw;
        }
    }

    private static string CancelledSentence(BatchSettings settings, RunMonitor monitor)
    {
        string pages = string.Create(CultureInfo.InvariantCulture, $"Cancelled after {monitor.PagesThisRun:N0} pages");
        return settings.CheckpointPath is { } path
            ? $"{pages}; run the same command again to resume from the checkpoint in {path}."
            : $"{pages}; without --checkpoint a new run starts from the first page.";
    }
}
