using System.Globalization;
using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.IO;
using Firecrawl.Streaming.Cli.Progress;
using Firecrawl.Streaming.Cli.Sinks;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Sinks;

namespace Firecrawl.Streaming.Cli.Running;

/// <summary>
/// Streams one batch job into sinks with a progress display and a summary: the code path of both <c>batch</c>
/// and <c>demo</c>.
/// </summary>
internal sealed class BatchRunner(CliConsole console, Redactor redactor)
{
    public const string ApiKeyVariable = FirecrawlClientOptions.ApiKeyEnvironmentVariable;
    public const string BlobConnectionVariable = "AZURE_STORAGE_CONNECTION_STRING";

    /// <summary>Runs the job to its end and returns what it did.</summary>
    /// <exception cref="CliException">The run failed or was cancelled; the message is the sentence to show.</exception>
    public async Task<RunReport> RunAsync(BatchSettings settings, CancellationToken cancellationToken)
    {
        string apiKey = ResolveKey(settings);
        string? blobConnection = settings.BlobConnection ?? console.GetVariable(BlobConnectionVariable);
        redactor.Add(blobConnection);
        IRunDisplay display = ChooseDisplay(settings);

        using FirecrawlClient client = CreateClient(settings, apiKey);
        FileCheckpointStore? store = settings.CheckpointPath is { } path ? new FileCheckpointStore(path) : null;
        string? resumeAfter = await LoadCheckpointAsync(store, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<IPageSink> sinks = OpenSinks(settings.Sinks, blobConnection);
        BatchJobPages stream = client.StreamBatchAsync(
            settings.JobId,
            new BatchStreamOptions { Fields = settings.Fields, ResumeAfter = resumeAfter },
            cancellationToken);
        var pages = new ObservedPages(stream);
        var monitor = new RunMonitor(settings.JobId, pages, [.. sinks.Select(s => s.Name)], resumed: resumeAfter is not null);
        var options = new PipelineOptions
        {
            Checkpoint = store,
            CheckpointInterval = settings.CheckpointEvery,

            // A slow job still checkpoints often enough that Ctrl+C loses little.
            CheckpointPeriod = TimeSpan.FromSeconds(10),
            Progress = monitor,
            ProgressInterval = display.ProgressInterval,
        };

        PipelineResult result;
        try
        {
            result = await display.ShowAsync(monitor, () => pages.ToSinksAsync(sinks, options, cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Cancelled, CancelledSentence(settings, monitor));
        }
        catch (FirecrawlException e) when (e is { ErrorCode: FirecrawlErrorCode.InvalidCursor, RequestUri: null } && resumeAfter is not null)
        {
            // Rejected before any request: the token itself, so the file is at fault, not the API.
            throw CliException.Usage($"The checkpoint {settings.CheckpointPath} cannot resume job {settings.JobId}: {e.Message.TrimEnd('.')}; use one checkpoint file per job.", e);
        }

        Reconciliation reconciliation = await ReconcileAsync(client, settings.JobId, monitor, cancellationToken).ConfigureAwait(false);
        var report = new RunReport(
            settings.JobId,
            result,
            stream.Status,
            monitor.Delivered,
            monitor.Resumed,
            stream.BytesReceived / 1_048_576d,
            stream.ChunksReceived,
            stream.DuplicatesDropped,
            result.Elapsed,
            reconciliation);
        display.Summary(report);
        return report;
    }

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

    private static FirecrawlClient CreateClient(BatchSettings settings, string apiKey)
    {
        var options = new FirecrawlClientOptions { ApiKey = apiKey, BaseAddress = settings.ApiUrl };
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
            return new FirecrawlClient(options);
        }
        catch (ArgumentException e)
        {
            throw CliException.Usage(ErrorReporter.WithoutParameter(e), e);
        }
    }

    private static async Task<string?> LoadCheckpointAsync(FileCheckpointStore? store, CancellationToken cancellationToken)
    {
        if (store is null)
        {
            return null;
        }

        try
        {
            return await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw CliException.Usage(e.Message, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"The checkpoint file {store.Path} cannot be read: {e.Message}", e);
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

    private static async Task<Reconciliation> ReconcileAsync(FirecrawlClient client, string jobId, RunMonitor monitor, CancellationToken cancellationToken)
    {
        BatchScrapeStatus? status = monitor.Pages.Source.Status;
        long delivered = monitor.Delivered;
        bool differs = status is not null && delivered != status.Completed && !(monitor.Resumed && monitor.Pages.Count == 0);
        if (!differs)
        {
            return Reconciliation.Create(delivered, monitor.Pages.Count, monitor.Resumed, status, null, null);
        }

        try
        {
            BatchScrapeErrors errors = await client.GetBatchErrorsAsync(jobId, cancellationToken).ConfigureAwait(false);
            return Reconciliation.Create(delivered, monitor.Pages.Count, monitor.Resumed, status, errors, null);
        }
        catch (FirecrawlException e)
        {
            // The pages are written; failing the run over the error list would misreport it.
            return Reconciliation.Create(delivered, monitor.Pages.Count, monitor.Resumed, status, null, ErrorReporter.Describe(e, cancellationToken).Sentence);
        }
    }

    private static string CancelledSentence(BatchSettings settings, RunMonitor monitor)
    {
        string pages = string.Create(CultureInfo.InvariantCulture, $"Cancelled after {monitor.Pages.Count:N0} pages");
        return settings.CheckpointPath is { } path
            ? $"{pages}; run the same command again to resume from the checkpoint in {path}."
            : $"{pages}; without --checkpoint a new run starts from the first page.";
    }
}
