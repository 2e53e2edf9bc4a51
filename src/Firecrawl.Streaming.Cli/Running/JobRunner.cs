using System.Globalization;
using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.IO;
using Firecrawl.Streaming.Cli.Progress;
using Firecrawl.Streaming.Cli.Sinks;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Sinks.PostgreSql;

namespace Firecrawl.Streaming.Cli.Running;

/// <summary>
/// Streams one job into sinks with a progress display and a summary: the code path of every command that
/// streams. Resuming from the checkpoint, coverage and the errors endpoint are the library's; this adds the display.
/// </summary>
internal sealed class JobRunner(CliConsole console, Redactor redactor)
{
    public const string ApiKeyVariable = ApiClients.ApiKeyVariable;
    public const string BlobConnectionVariable = "AZURE_STORAGE_CONNECTION_STRING";

    /// <summary>The <c>--checkpoint</c> value that keeps the checkpoint in the <c>postgres:</c> sink's database.</summary>
    public const string PostgresCheckpoint = "postgres";

    /// <summary>Runs the job to its end and returns what it did.</summary>
    /// <exception cref="CliException">The run failed or was cancelled; the message is the sentence to show.</exception>
    public async Task<RunReport> RunAsync(RunSettings settings, CancellationToken cancellationToken)
    {
        string? blobConnection = settings.BlobConnection ?? console.GetVariable(BlobConnectionVariable);
        redactor.Add(blobConnection);
        IRunDisplay display = ChooseDisplay(settings);

        using FirecrawlJobClient client = ApiClients.Create(console, redactor, new ApiSettings(settings.ApiUrl, settings.ApiKey, settings.MaxRetries, settings.ChunkLimit, settings.Concurrency), settings.PollInterval, settings.RetryBaseDelay);
        string? pgConnection = PostgresConnection(settings);
        bool pgCheckpoint = settings.CheckpointPath == PostgresCheckpoint;
        await using NpgsqlDataSourceHolder pgCheckpoints = new(pgCheckpoint ? pgConnection : null);
        ICheckpointStore? store = settings.CheckpointStore ?? (pgCheckpoint
            ? new PostgresCheckpointStore(pgCheckpoints.DataSource!, settings.Sinks.Select(s => s.Text), settings.JobId)
            : settings.CheckpointPath is { } path ? new FileCheckpointStore(path) : null);
        Uri? amqp = settings.AmqpUri ?? AmqpUrl.Resolve(null, console, redactor);
        IReadOnlyList<IPageSink> sinks = OpenSinks(settings.Sinks, blobConnection, pgConnection, pgCheckpoint ? PostgresCheckpointStore.DefaultTableName : null, amqp);
        var monitor = new RunMonitor(settings.JobId, [.. sinks.Select(s => s.Name)]);
        var options = new PipelineOptions
        {
            Checkpoint = store,
            CheckpointInterval = settings.CheckpointEvery,

            // A slow job still checkpoints often enough that Ctrl+C loses little.
            CheckpointPeriod = TimeSpan.FromSeconds(10),
            Progress = monitor,
            ProgressInterval = display.ProgressInterval,
            StreamOptions = new JobStreamOptions { Fields = settings.Fields, StartAt = settings.Range?.Start ?? 0, StopAt = settings.Range?.Stop },
            PageFilter = settings.PageFilter,
        };
        if (settings.DeadLetterPath is { } deadLetters)
        {
            options.SinkDefaults = new SinkOptions { DeadLetter = DeadLetterPolicy.WriteToFile, DeadLetterPath = deadLetters };
        }


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
            throw CliException.Usage($"The checkpoint {settings.CheckpointPath} cannot resume {ApiClients.Noun(settings.Kind)} {settings.JobId}: {e.Message.TrimEnd('.')}.", e);
        }
        catch (Exception e) when (e is not CliException && PipelineResult.TryGetPartial(e, out PipelineResult? saved) && saved.PagesRead > 0)
        {
            // The pipeline wrote, flushed and checkpointed what it had before this surfaced: say so, and how to go on.
            (int code, string sentence) = ErrorReporter.Describe(e, cancellationToken);
            throw new CliException(code, string.Create(CultureInfo.InvariantCulture, $"{sentence.TrimEnd('.')}; {saved.PagesDurable:N0} pages are saved in every sink — {Resume(settings)}."), e);
        }

        JobCoverage coverage = result.Coverage ?? new JobCoverage { Kind = settings.Kind, JobId = settings.JobId };
        var report = new RunReport(settings.JobId, result, coverage, Reconciliation.Create(coverage, result.PagesRead));
        display.Summary(report);
        if (settings.Json)
        {
            RunReportJson.Write(console.Out, report, report.ExitCode == ExitCodes.Success ? null : report.Outcome(settings.CheckpointPath));
        }

        // A range's coverage is its own offsets: whether the job's count is met is the reconcile's to say.
        if (report.ExitCode != ExitCodes.Success && settings.Range is null)
        {
            // Everything received is written and checkpointed by now; the run still must not look like a success.
            throw new CliException(report.ExitCode, report.Outcome(settings.CheckpointPath));
        }

        return report;
    }

    /// <summary>Starts a batch scrape of the request's URLs, then streams it.</summary>
    public Task<RunReport> StartAndRunAsync(RunSettings settings, BatchScrapeRequest request, CancellationToken cancellationToken) =>
        StartAndRunAsync(settings, (client, ct) => client.StartBatchScrapeAsync(request, ct), cancellationToken);

    /// <summary>Starts a crawl, then streams it.</summary>
    public Task<RunReport> StartAndRunAsync(RunSettings settings, CrawlRequest request, CancellationToken cancellationToken) =>
        StartAndRunAsync(settings, (client, ct) => client.StartCrawlAsync(request, ct), cancellationToken);

    /// <summary>
    /// Starts a job and streams it while it runs. With <c>--checkpoint</c>, the job is recorded in the checkpoint the
    /// moment it is started, and a checkpoint that already names a job resumes that job instead of starting (and paying
    /// for) another: a run stopped at any point is finished by running the same command again.
    /// </summary>
    public async Task<RunReport> StartAndRunAsync(RunSettings settings, Func<FirecrawlJobClient, CancellationToken, Task<StartedJob>> start, CancellationToken cancellationToken)
    {
        if (settings.CheckpointPath == PostgresCheckpoint)
        {
            throw CliException.Usage("--checkpoint postgres resumes fcstream batch and crawl JOB_ID; to start a job and resume it later, name a checkpoint file.");
        }

        FileCheckpointStore? store = settings.CheckpointPath is { } path ? new FileCheckpointStore(path) : null;
        if (store is not null && await LoadStartedJobAsync(store, cancellationToken).ConfigureAwait(false) is (JobKind kind, string id))
        {
            if (kind != settings.Kind)
            {
                throw CliException.Usage($"The checkpoint {store.Path} belongs to {ApiClients.Noun(kind)} {id}; use one checkpoint file per job.");
            }

            console.Error.WriteLine($"Resuming {ApiClients.Noun(kind)} {id} from the checkpoint in {store.Path}.");
            return await RunAsync(settings with { JobId = id }, cancellationToken).ConfigureAwait(false);
        }

        StartedJob job;
        using (FirecrawlJobClient client = ApiClients.Create(console, redactor, new ApiSettings(settings.ApiUrl, settings.ApiKey, settings.MaxRetries)))
        {
            job = await start(client, cancellationToken).ConfigureAwait(false);
        }

        string invalid = job.InvalidUrls.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({job.InvalidUrls.Count:N0} invalid URLs skipped)") : string.Empty;
        console.Error.WriteLine($"Started {ApiClients.Noun(job.Kind)} {job.Id}{invalid}.");
        if (store is not null)
        {
            await store.SaveJobStartAsync(job.Kind, job.Id, settings.Sinks.Select(s => s.Text), cancellationToken).ConfigureAwait(false);
        }

        return await RunAsync(settings with { Kind = job.Kind, JobId = job.Id }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a job whose events go to a webhook, without streaming it: its id goes to standard output, for scripts, and
    /// a sentence to standard error.
    /// </summary>
    public async Task StartOnlyAsync(ApiSettings api, Func<FirecrawlJobClient, CancellationToken, Task<StartedJob>> start, Uri webhook, CancellationToken cancellationToken)
    {
        using FirecrawlJobClient client = ApiClients.Create(console, redactor, api);
        StartedJob job = await start(client, cancellationToken).ConfigureAwait(false);
        console.Out.WriteLine(job.Id);
        console.Out.Flush();
        console.Error.WriteLine($"Started {ApiClients.Noun(job.Kind)} {job.Id}; its events go to {webhook.GetLeftPart(UriPartial.Path)} ('fcstream listen' receives them).");
    }

    private static async Task<(JobKind Kind, string Id)?> LoadStartedJobAsync(FileCheckpointStore store, CancellationToken cancellationToken)
    {
        try
        {
            return await store.LoadJobAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"The checkpoint file {store.Path} cannot be read: {e.Message}", e);
        }
    }

    internal IRunDisplay ChooseDisplay(RunSettings settings)
    {
        if (settings.Quiet)
        {
            return new QuietDisplay();
        }

        // Pages on standard output and an animation on standard error share one terminal: keep to plain lines. A dumb
        // terminal cannot move the cursor, so it gets plain lines too; NO_COLOR keeps the animation without colour.
        bool dumb = string.Equals(console.GetVariable("TERM"), "dumb", StringComparison.Ordinal);
        return console.ErrorIsTerminal && !dumb && !settings.Sinks.Any(s => s.IsStdout)
            ? new AnimatedDisplay(console.Error, detectAnsi: console.IsProcessConsole, colour: console.UseColour(isTerminal: true))
            : new PlainDisplay(console.Error);
    }

    /// <summary>
    /// The PostgreSQL connection string of the run (from <c>--pg-connection</c>, filled in from the <c>PG*</c> variables),
    /// registered with the redactor, or null when no sink or checkpoint needs one.
    /// </summary>
    internal string? PostgresConnection(RunSettings settings)
    {
        bool needed = settings.Sinks.Any(s => s.Kind == SinkKind.Postgres);
        if (settings.CheckpointPath == PostgresCheckpoint && !needed)
        {
            throw CliException.Usage("--checkpoint postgres keeps the checkpoint in the database of a postgres: sink; add --to postgres:TABLE, or name a checkpoint file.");
        }

        if (!needed)
        {
            return null;
        }

        string resolved;
        try
        {
            resolved = PostgresConnectionString.Resolve(settings.PgConnection, console.GetVariable);
        }
        catch (ArgumentException e)
        {
            throw CliException.Usage($"The PostgreSQL connection is malformed ({ErrorReporter.WithoutParameter(e).TrimEnd('.')}); check --pg-connection and the PG* variables.", e);
        }

        redactor.Add(settings.PgConnection);
        redactor.Add(console.GetVariable("PGPASSWORD"));
        redactor.Add(new Npgsql.NpgsqlConnectionStringBuilder(resolved).Password);
        return resolved;
    }

    /// <summary>The data source of <c>--checkpoint postgres</c>, disposed when the run ends.</summary>
    private sealed class NpgsqlDataSourceHolder(string? connectionString) : IAsyncDisposable
    {
        public Npgsql.NpgsqlDataSource? DataSource { get; } = connectionString is null ? null : Npgsql.NpgsqlDataSource.Create(connectionString);

        public ValueTask DisposeAsync() => DataSource?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    internal List<IPageSink> OpenSinks(IReadOnlyList<SinkSpec> specs, string? blobConnection, string? pgConnection = null, string? pgCheckpointTable = null, Uri? amqp = null)
    {
        var sinks = new List<IPageSink>(specs.Count);
        try
        {
            foreach (SinkSpec spec in specs)
            {
                sinks.Add(spec.Create(console, blobConnection, pgConnection, pgCheckpointTable, amqp));
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

    private static string Resume(RunSettings settings) => settings.CheckpointPath is { } path
        ? $"run the same command again to resume from the checkpoint in {path}"
        : "run it again with --checkpoint FILE to resume next time instead of starting over";

    private static string CancelledSentence(RunSettings settings, RunMonitor monitor)
    {
        string pages = string.Create(CultureInfo.InvariantCulture, $"Cancelled after {monitor.PagesThisRun:N0} pages");
        return settings.CheckpointPath is { } path
            ? $"{pages}; run the same command again to resume from the checkpoint in {path}."
            : $"{pages}; without --checkpoint a new run starts from the first page.";
    }
}
