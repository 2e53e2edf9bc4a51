using System.CommandLine;
using System.Globalization;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.Running;
using Firecrawl.Streaming.RabbitMq;

namespace Firecrawl.Streaming.Cli.Commands;

/// <summary>
/// <c>fcstream enqueue JOB_ID... [--crawl]</c> puts jobs on the RabbitMQ job queue; <c>fcstream worker --to SINK...</c>
/// streams them, on as many machines as wanted, with their state and checkpoints in PostgreSQL.
/// </summary>
internal static class WorkerCommands
{
    public static Command Enqueue(AppServices services)
    {
        var jobIds = new Argument<string[]>("JOB_ID") { Description = "The job ids.", Arity = ArgumentArity.OneOrMore };
        var crawl = new Option<bool>("--crawl") { Description = "The ids are crawls' (default: batch scrapes')." };
        QueueOptions queue = new();
        var command = new Command("enqueue", "Put jobs on the RabbitMQ job queue, for workers to stream.") { jobIds, crawl };
        queue.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            JobKind kind = parse.GetValue(crawl) ? JobKind.Crawl : JobKind.BatchScrape;
            string profile = queue.Profile(parse);
            JobMessage[] jobs = [.. parse.GetRequiredValue(jobIds)
                .Select(id => new JobMessage(kind, SharedOptions.ParseJobId(id, kind == JobKind.Crawl ? "crawl" : "batch job"), profile))];
            Uri amqp = AmqpUrl.Require(parse.GetValue(queue.Amqp), services.Console, services.Redactor);
            RabbitMqJobQueueOptions options = queue.Options(parse);
            await using (var client = new RabbitMqJobQueueClient(amqp, options))
            {
                await client.EnqueueAsync(jobs, cancellationToken).ConfigureAwait(false);
            }

            services.Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Enqueued {jobs.Length} job{(jobs.Length == 1 ? "" : "s")} on {options.QueueName} (profile {profile})."));
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Worker(AppServices services)
    {
        SharedOptions streaming = SharedOptions.ForStreaming();
        QueueOptions queue = new();
        var concurrency = new Option<int>("--concurrency") { Description = "How many jobs this worker streams at once.", HelpName = "N", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var stateDb = new Option<string>("--state-db")
        {
            Description = $"The PostgreSQL connection string of the shared job state and checkpoints (default: the {WorkerRunner.StateDbVariable} variable); never printed.",
            HelpName = "CONNECTION_STRING",
        };
        var lease = new Option<string>("--lease")
        {
            Description = "How long a job stays leased to a worker that stops renewing it (it died): then another takes it over (default 30s).",
            HelpName = "DURATION",
        };
        var splitPages = new Option<long>("--split-pages")
        {
            Description = $"Split a finished job of more pages than this into ranges of this many, streamed by several workers at once; file sinks then need {{range}} in their target (default {WorkerSettings.DefaultSplitPages}; 0 never splits).",
            HelpName = "N",
            DefaultValueFactory = _ => WorkerSettings.DefaultSplitPages,
        };
        var command = new Command("worker", "Stream jobs from the RabbitMQ job queue into sinks until stopped; {job} in a sink is the job id, {range} the range of a split job (all when whole).") { concurrency, stateDb, lease, splitPages };
        streaming.AddTo(command);
        queue.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            RunSettings template = streaming.Settings(parse, JobKind.BatchScrape, "{job}");
            if (template.CheckpointPath is not null)
            {
                throw CliException.Usage("A worker keeps its checkpoints in PostgreSQL (--state-db): drop --checkpoint.");
            }

            var settings = new WorkerSettings
            {
                Template = template with { Quiet = true },
                AmqpUri = AmqpUrl.Require(parse.GetValue(queue.Amqp), services.Console, services.Redactor),
                StateDb = WorkerRunner.StateDb(parse.GetValue(stateDb), services.Console, services.Redactor),
                Profile = queue.Profile(parse),
                Queue = queue.Options(parse),
                Concurrency = parse.GetValue(concurrency),
                Lease = parse.GetValue(lease) is { } text ? Durations.Parse(text, "--lease") : TimeSpan.FromSeconds(30),
                SplitPages = parse.GetValue(splitPages) >= 0 ? parse.GetValue(splitPages) : throw CliException.Usage("--split-pages must be 0 or more."),
            };
            await new WorkerRunner(services.Console, services.Redactor, settings).RunAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The options <c>enqueue</c> and <c>worker</c> share: the broker, the queue and the profile.</summary>
    private sealed class QueueOptions
    {
        public Option<string> Amqp { get; } = new("--amqp")
        {
            Description = $"The broker, amqp://USER:PASSWORD@HOST:PORT/VHOST (default: the {AmqpUrl.Variable} variable); never printed.",
            HelpName = "URL",
        };

        private Option<string> QueueName { get; } = new("--queue") { Description = "The job queue (default fcstream.jobs).", HelpName = "NAME" };

        private Option<int?> DeliveryLimit { get; } = new Option<int?>("--delivery-limit")
        {
            Description = "Deliveries of a job message before it goes to the dead-letter queue QUEUE.dead (default 5); fixed when the queue is first declared.",
            HelpName = "N",
        }.AtLeast(1);

        private Option<string> ProfileOption { get; } = new("--profile")
        {
            Description = $"The sinks profile: a job is streamed once per profile, with its own state and checkpoint (default {JobMessage.DefaultProfile}).",
            HelpName = "NAME",
        };

        public void AddTo(Command command)
        {
            command.Options.Add(Amqp);
            command.Options.Add(QueueName);
            command.Options.Add(DeliveryLimit);
            command.Options.Add(ProfileOption);
        }

        public string Profile(ParseResult parse) => parse.GetValue(ProfileOption) is { } text && !string.IsNullOrWhiteSpace(text) ? text.Trim() : JobMessage.DefaultProfile;

        public RabbitMqJobQueueOptions Options(ParseResult parse)
        {
            var options = new RabbitMqJobQueueOptions();
            if (parse.GetValue(QueueName) is { } name && !string.IsNullOrWhiteSpace(name))
            {
                options.QueueName = name.Trim();
            }

            if (parse.GetValue(DeliveryLimit) is int limit)
            {
                options.DeliveryLimit = limit;
            }

            return options;
        }
    }
}
