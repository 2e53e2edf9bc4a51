using System.Globalization;
using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Cli.Commands;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.IO;
using Firecrawl.Streaming.Cli.Progress;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.RabbitMq;
using Firecrawl.Streaming.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Firecrawl.Streaming.Cli.Running;

/// <summary>
/// <c>fcstream listen</c>: the webhook receiver on Kestrel, with the sinks, checkpoint and progress display of a
/// streaming run. Each reconciled job prints its coverage; with <c>--once</c> the first one decides the exit code.
/// </summary>
internal sealed class WebhookListener(CliConsole console, Redactor redactor)
{
    public async Task<int> RunAsync(ListenSettings settings, RunSettings run, CancellationToken cancellationToken)
    {
        string? secret = string.IsNullOrWhiteSpace(settings.Secret) ? console.GetVariable(ListenCommand.SecretVariable) : settings.Secret;
        redactor.Add(secret);
        if (string.IsNullOrWhiteSpace(secret) && !settings.AllowUnsigned)
        {
            throw CliException.Usage($"No webhook secret: pass --secret or set {ListenCommand.SecretVariable} (or --allow-unsigned for a server that signs nothing).");
        }

        string? blobConnection = run.BlobConnection ?? console.GetVariable(JobRunner.BlobConnectionVariable);
        redactor.Add(blobConnection);
        using FirecrawlJobClient? client = CreateClient(run);
        var runner = new JobRunner(console, redactor);
        IRunDisplay display = runner.ChooseDisplay(run);
        List<IPageSink> sinks = runner.OpenSinks(run.Sinks, blobConnection, runner.PostgresConnection(run), pgCheckpointTable: null, AmqpUrl.Resolve(null, console, redactor));
        var monitor = new RunMonitor("webhooks", [.. sinks.Select(s => s.Name)], idleStatus: "listening");
        var first = new TaskCompletionSource<WebhookJobReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        FirecrawlWebhookReceiverOptions options = ReceiverOptions(settings, run, secret, client, sinks, monitor, display, first);
        await using RabbitMqJobQueueClient? queue = EnqueueClient(settings);
        if (queue is not null)
        {
            options.OnEvent = (e, ct) => EnqueueCompletedAsync(queue, settings, e, ct);
        }

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ErrorLoggerProvider(console.Error, redactor));
        builder.WebHost.UseUrls(settings.Listen.GetLeftPart(UriPartial.Authority));
        await using WebApplication app = builder.Build();
        var receiver = new FirecrawlWebhookReceiver(options, app.Services.GetRequiredService<ILogger<FirecrawlWebhookReceiver>>());
        try
        {
            await receiver.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw CliException.Usage($"The journal or checkpoint cannot be used: {e.Message}", e);
        }

        app.MapFirecrawlWebhooks(settings.Path, receiver);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await receiver.DisposeAsync().ConfigureAwait(false);
            throw CliException.Usage($"Cannot listen on {settings.Listen}: {e.Message}", e);
        }

        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? settings.Listen.ToString();
        console.Error.WriteLine($"Listening on {address.TrimEnd('/')}{settings.Path}; journal in {Path.GetFullPath(settings.JournalDirectory)}.");
        console.Error.Flush();

        WebhookJobReport? report = null;
        bool stopped = false;
        try
        {
            await display.ShowAsync(monitor, async () =>
            {
                var forever = new TaskCompletionSource();
                using CancellationTokenRegistration registration = cancellationToken.Register(() => forever.TrySetResult());
                Task done = await Task.WhenAny(settings.Once ? first.Task : forever.Task, forever.Task, receiver.Completion).ConfigureAwait(false);
                stopped = cancellationToken.IsCancellationRequested;
                return done;
            }).ConfigureAwait(false);
        }
        finally
        {
            // Deliveries stop first (the server delivers again what it is refused), then the sinks drain and flush.
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await receiver.StopAsync(stopped ? new CancellationToken(canceled: true) : CancellationToken.None).ConfigureAwait(false);
        }

        if (stopped)
        {
            throw new CliException(ExitCodes.Cancelled, string.Create(CultureInfo.InvariantCulture,
                $"Stopped; every delivery acknowledged is in the journal ({receiver.PipelineResult?.PagesRead ?? 0:N0} pages reached the sinks) — run the same command again to go on."));
        }

        if (settings.Once && first.Task.IsCompletedSuccessfully)
        {
            report = first.Task.Result;
        }

        return report is null ? ExitCodes.Success : ExitCodeOf(report);
    }

    private FirecrawlWebhookReceiverOptions ReceiverOptions(ListenSettings settings, RunSettings run, string? secret, FirecrawlJobClient? client,
        List<IPageSink> sinks, RunMonitor monitor, IRunDisplay display, TaskCompletionSource<WebhookJobReport> first)
    {
        var options = new FirecrawlWebhookReceiverOptions
        {
            AllowUnsignedDeliveries = settings.AllowUnsigned,
            JournalDirectory = settings.JournalDirectory,
            JobClient = client,
            QuietPeriod = settings.QuietPeriod,
            Checkpoint = run.CheckpointPath is { } path ? new FileCheckpointStore(path) : null,
            Pipeline = new PipelineOptions
            {
                CheckpointInterval = run.CheckpointEvery,
                CheckpointPeriod = TimeSpan.FromSeconds(10),
                Progress = monitor,
                ProgressInterval = display.ProgressInterval,
            },
            OnJobReconciled = (report, _) =>
            {
                if (!run.Quiet)
                {
                    PrintReport(report);
                }

                first.TrySetResult(report);
                return ValueTask.CompletedTask;
            },
        };
        if (!string.IsNullOrWhiteSpace(secret))
        {
            options.Secrets.Add(secret.Trim());
        }

        if (run.DeadLetterPath is { } deadLetters)
        {
            options.Pipeline.SinkDefaults = new SinkOptions { DeadLetter = DeadLetterPolicy.WriteToFile, DeadLetterPath = deadLetters };
        }

        foreach (IPageSink sink in sinks)
        {
            options.Sinks.Add(sink);
        }

        return options;
    }

    /// <summary>
    /// Puts a job whose <c>completed</c> event arrived on the job queue, confirmed by the broker. The event is durable
    /// before this runs and is handed over again after a crash, and a job enqueued twice is streamed once (the workers'
    /// shared state recognises it), so at least once is enough here. A broker that stays unreachable is reported with
    /// the command that enqueues the job by hand.
    /// </summary>
    private async ValueTask EnqueueCompletedAsync(RabbitMqJobQueueClient queue, ListenSettings settings, WebhookEvent e, CancellationToken cancellationToken)
    {
        if (e.EventType != WebhookEventType.Completed)
        {
            return;
        }

        var job = new JobMessage(e.Kind, e.JobId, settings.EnqueueProfile);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await queue.EnqueueAsync([job], cancellationToken).ConfigureAwait(false);
                Say($"Enqueued {job} on {settings.EnqueueQueue.QueueName}.");
                return;
            }
            catch (Exception error) when (attempt < EnqueueAttempts && !cancellationToken.IsCancellationRequested && error is not OutOfMemoryException)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested && error is not OutOfMemoryException)
            {
                string crawl = e.Kind == JobKind.Crawl ? " --crawl" : string.Empty;
                Say($"error: job {e.JobId} could not be enqueued ({error.Message}); enqueue it with fcstream enqueue {e.JobId}{crawl} --profile {settings.EnqueueProfile}.");
                return;
            }
        }
    }

    private const int EnqueueAttempts = 3;

    private static RabbitMqJobQueueClient? EnqueueClient(ListenSettings settings)
    {
        try
        {
            return settings.EnqueueAmqp is { } amqp ? new RabbitMqJobQueueClient(amqp, settings.EnqueueQueue) : null;
        }
        catch (ArgumentException e)
        {
            throw CliException.Usage($"--enqueue-queue: {e.Message}", e);
        }
    }

    private void Say(string line)
    {
        lock (console.Error)
        {
            console.Error.WriteLine(redactor.Redact(line));
            console.Error.Flush();
        }
    }

    private FirecrawlJobClient? CreateClient(RunSettings run)
    {
        string? key = string.IsNullOrWhiteSpace(run.ApiKey) ? console.GetVariable(ApiClients.ApiKeyVariable) : run.ApiKey;
        if (string.IsNullOrWhiteSpace(key))
        {
            console.Error.WriteLine($"warning: no API key (--api-key or {ApiClients.ApiKeyVariable}): pages no webhook delivers cannot be fetched, and jobs are not reconciled.");
            return null;
        }

        return ApiClients.Create(console, redactor, new ApiSettings(run.ApiUrl, key, run.MaxRetries), run.PollInterval, run.RetryBaseDelay);
    }

    private void PrintReport(WebhookJobReport report)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        string status = report.Status?.Status ?? "?";
        string completed = report.Status is { } s ? s.Completed.ToString(c) : "?";
        console.Error.WriteLine(string.Create(c,
            $"done job={report.JobId} pushed={report.Pushed} pulled={report.Pulled} completed={completed} status={status} duplicates={report.DuplicatesDropped} failed={report.FailedPages.Count + (report.Coverage?.Failed ?? 0)} unaccounted={report.Unaccounted}"));
        if (report.Error is { } error)
        {
            console.Error.WriteLine("error: " + redactor.Redact(ErrorReporter.Describe(error, CancellationToken.None).Sentence));
        }

        console.Error.Flush();
    }

    /// <summary>The exit code a reconciled job earns, as for a pulled one; a failed pull is that failure's code.</summary>
    private static int ExitCodeOf(WebhookJobReport report)
    {
        if (report.Error is { } error)
        {
            (int code, string sentence) = ErrorReporter.Describe(error, CancellationToken.None);
            throw new CliException(code, $"Job {report.JobId} could not be reconciled: {sentence.TrimEnd('.')}; its deliveries are journaled — run the same command again to retry.", error);
        }

        if (report.Coverage is null)
        {
            return ExitCodes.Success;
        }

        if (report.Unaccounted > 0)
        {
            throw new CliException(ExitCodes.Incomplete, string.Create(CultureInfo.InvariantCulture,
                $"Job {report.JobId}: {report.Unaccounted:N0} of the {report.Status!.Completed:N0} pages it reports completed are unaccounted for (pushed {report.Pushed:N0}, pulled {report.Pulled:N0}); everything received is saved."));
        }

        return report.Status?.Status is "failed" or "cancelled"
            ? throw new CliException(ExitCodes.JobEnded, $"Job {report.JobId} ended {report.Status.Status} on the server; all {report.Delivered:N0} pages it produced are saved.")
            : ExitCodes.Success;
    }
}
