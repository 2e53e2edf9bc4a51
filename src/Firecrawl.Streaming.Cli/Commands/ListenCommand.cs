using System.CommandLine;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.Running;
using Firecrawl.Streaming.RabbitMq;
using Firecrawl.Streaming.Webhooks;

namespace Firecrawl.Streaming.Cli.Commands;

/// <summary>
/// <c>fcstream listen --listen URL --secret SECRET --to SINK ... [--once]</c>: receives Firecrawl's webhook deliveries
/// on Kestrel into the same sinks as <c>batch</c>, and reconciles each finished job with its status endpoint.
/// </summary>
internal static class ListenCommand
{
    public const string SecretVariable = "FIRECRAWL_WEBHOOK_SECRET";

    public static Command Create(AppServices services)
    {
        var listen = new Option<string>("--listen")
        {
            Description = "The address to listen on (default http://127.0.0.1:8080); put TLS in front of it for the internet.",
            HelpName = "URL",
            DefaultValueFactory = _ => "http://127.0.0.1:8080",
        };
        var secret = new Option<string>("--secret") { Description = $"The team's webhook secret (default: the {SecretVariable} environment variable); never printed.", HelpName = "SECRET" };
        var path = new Option<string>("--path") { Description = $"The endpoint's path (default {FirecrawlWebhookReceiverOptions.DefaultPath}).", HelpName = "PATH", DefaultValueFactory = _ => FirecrawlWebhookReceiverOptions.DefaultPath };
        var journal = new Option<string>("--journal") { Description = "The directory of the journal every delivery is made durable in before it is acknowledged (default ./fcstream-webhooks).", HelpName = "DIR", DefaultValueFactory = _ => "fcstream-webhooks" };
        var once = new Option<bool>("--once") { Description = "Exit after the first job's completed event has been reconciled with its status endpoint (0, or the coverage exit codes)." };
        var quiet = new Option<string>("--quiet-period") { Description = "Reconcile a job that sent nothing for this long, e.g. 20m (default 20m; batch scrapes send no failure event).", HelpName = "DURATION" };
        var unsigned = new Option<bool>("--allow-unsigned") { Description = "Accept deliveries without a signature (a self-hosted server with no secret); anyone who can reach the port can forge pages." };
        var enqueueAmqp = new Option<string>("--enqueue-amqp")
        {
            Description = "Also put every job whose completed event arrives on this broker's job queue, for fcstream worker (amqp://USER:PASSWORD@HOST:PORT/VHOST; never printed).",
            HelpName = "URL",
        };
        var enqueueQueue = new Option<string>("--enqueue-queue") { Description = "The job queue --enqueue-amqp publishes to (default fcstream.jobs).", HelpName = "NAME" };
        var enqueueProfile = new Option<string>("--enqueue-profile") { Description = $"The sinks profile of the jobs --enqueue-amqp publishes (default {JobMessage.DefaultProfile}).", HelpName = "NAME" };
        SharedOptions options = SharedOptions.ForStreaming();
        var command = new Command("listen", "Receive a job's pages by webhook into sinks, verified and journaled, and fill the gaps from the status endpoint.")
        {
            listen, secret, path, journal, once, quiet, unsigned, enqueueAmqp, enqueueQueue, enqueueProfile,
        };
        options.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            RunSettings run = options.Settings(parse, JobKind.BatchScrape, jobId: "webhooks");
            if (run.Fields != PageFields.All)
            {
                throw CliException.Usage("--fields does not apply to listen: pages are stored as they are pushed.");
            }

            var settings = new ListenSettings
            {
                Listen = ParseListen(parse.GetValue(listen)!),
                Path = ParsePath(parse.GetValue(path)!),
                Secret = parse.GetValue(secret),
                JournalDirectory = parse.GetValue(journal)!,
                Once = parse.GetValue(once),
                QuietPeriod = parse.GetValue(quiet) is { } q ? Durations.Parse(q, "--quiet-period") : TimeSpan.FromMinutes(20),
                AllowUnsigned = parse.GetValue(unsigned),
            };
            if (parse.GetValue(enqueueAmqp) is { } amqp)
            {
                settings = WithEnqueue(settings, amqp, parse.GetValue(enqueueQueue), parse.GetValue(enqueueProfile), services);
            }
            else if (parse.GetValue(enqueueQueue) is not null || parse.GetValue(enqueueProfile) is not null)
            {
                throw CliException.Usage("--enqueue-queue and --enqueue-profile apply only with --enqueue-amqp URL.");
            }

            return await new WebhookListener(services.Console, services.Redactor).RunAsync(settings, run, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static ListenSettings WithEnqueue(ListenSettings settings, string amqp, string? queue, string? profile, AppServices services)
    {
        if (string.IsNullOrWhiteSpace(amqp))
        {
            throw CliException.Usage("--enqueue-amqp needs the broker's amqp:// URL.");
        }

        var queueOptions = new RabbitMqJobQueueOptions();
        if (!string.IsNullOrWhiteSpace(queue))
        {
            queueOptions.QueueName = queue.Trim();
        }

        profile = string.IsNullOrWhiteSpace(profile) ? JobMessage.DefaultProfile : profile.Trim();
        if (profile.Any(char.IsControl))
        {
            throw CliException.Usage("--enqueue-profile has control characters.");
        }

        return settings with
        {
            EnqueueAmqp = AmqpUrl.Require(amqp, services.Console, services.Redactor),
            EnqueueQueue = queueOptions,
            EnqueueProfile = profile,
        };
    }

    private static Uri ParseListen(string text) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.AbsolutePath == "/"
            ? uri
            : throw CliException.Usage($"--listen \"{text}\" is not an http(s)://HOST:PORT address.");

    private static string ParsePath(string text) =>
        text.StartsWith('/') && !text.Contains('?', StringComparison.Ordinal) && !text.Contains('#', StringComparison.Ordinal)
            ? text
            : throw CliException.Usage($"--path \"{text}\" must start with / and hold no query.");
}
