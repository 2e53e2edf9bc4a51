using Firecrawl.Streaming.RabbitMq;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;
using RabbitMQ.Client;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary><c>fcstream listen --enqueue-amqp</c>: a job's <c>completed</c> event puts it on a real broker's job queue, for the workers.</summary>
[Collection(RabbitMqGroup.Name)]
public sealed class ListenEnqueueTests(RabbitMqFixture broker) : FakeServerTestBase, IDisposable
{
    private const string Secret = "whsec-enqueue-37";
    private readonly TempDirectory _directory = new();
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task Listen_EnqueueAmqp_CompletedCrawlIsOnTheJobQueueOnceWithItsProfile()
    {
        FakeJob job = AddJob(JobKind.Crawl, Pages(12), new FakeJobOptions { PageLimit = 5 });
        FakeJob other = AddJob(JobKind.BatchScrape, Pages(6), new FakeJobOptions { PageLimit = 5 });
        string queue = $"listen-jobs-{Guid.NewGuid():N}";
        int port = ListenEndpoint.FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/firecrawl/webhook");
        Task<CliResult> run = CliRun.RunAsync(
            ["listen", "--listen", $"http://127.0.0.1:{port}", "--to", $"jsonl:{_directory.Combine("pages.jsonl")}", "--journal", _directory.Combine("journal"),
             "--api-url", Server.BaseAddress.ToString(), "--poll-interval", "10ms", "--once",
             "--enqueue-amqp", broker.AmqpUri.ToString(), "--enqueue-queue", queue, "--enqueue-profile", "search"],
            new Dictionary<string, string?> { ["FIRECRAWL_API_KEY"] = Server.ApiKey, ["FIRECRAWL_WEBHOOK_SECRET"] = Secret }, Ct);
        await ListenEndpoint.WaitListeningAsync(_http, url, () => run.IsCompleted, Ct);

        // The batch scrape sends its pages but no completed event: nothing of it is enqueued.
        await Server.PushWebhooksAsync(other, url, new FakeWebhookOptions { Secret = Secret, SendCompleted = false }, Ct);
        IReadOnlyList<FakeWebhookDelivery> pushed = await Server.PushWebhooksAsync(job, url, new FakeWebhookOptions { Secret = Secret, ShuffleSeed = 5 }, Ct);
        CliResult result = await run.WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.All(pushed, d => Assert.Equal(200, d.StatusCode));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains($"Enqueued crawl:{job.Id}:search on {queue}.", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(broker.AmqpUri.ToString(), result.Stderr, StringComparison.Ordinal);
        await using IConnection connection = await broker.ConnectAsync(Ct);
        await using IChannel channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        var messages = new List<string?>();
        while (await channel.BasicGetAsync(queue, autoAck: true, Ct) is { } got)
        {
            Assert.Equal(JobMessage.Parse(got.Body.Span).MessageId, got.BasicProperties.MessageId);
            messages.Add(got.BasicProperties.MessageId);
        }

        Assert.Equal([$"crawl:{job.Id}:search"], messages);
        await channel.QueueDeleteAsync(queue, cancellationToken: Ct);
        await channel.QueueDeleteAsync(queue + ".dead", cancellationToken: Ct);
    }

    [Fact]
    public async Task Listen_BrokerUnreachable_PagesStillInTheSinksAndTheEnqueueCommandNamedWithoutThePassword()
    {
        const string password = "amqp-pw-5512";
        FakeJob job = AddJob(JobKind.BatchScrape, Pages(7), new FakeJobOptions { PageLimit = 5 });
        int port = ListenEndpoint.FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/firecrawl/webhook");
        string jsonl = _directory.Combine("pages.jsonl");
        Task<CliResult> run = CliRun.RunAsync(
            ["listen", "--listen", $"http://127.0.0.1:{port}", "--to", $"jsonl:{jsonl}", "--journal", _directory.Combine("journal"),
             "--api-url", Server.BaseAddress.ToString(), "--poll-interval", "10ms", "--once",
             "--enqueue-amqp", $"amqp://fcstream:{password}@127.0.0.1:{ListenEndpoint.FreePort()}/"],
            new Dictionary<string, string?> { ["FIRECRAWL_API_KEY"] = Server.ApiKey, ["FIRECRAWL_WEBHOOK_SECRET"] = Secret }, Ct);
        await ListenEndpoint.WaitListeningAsync(_http, url, () => run.IsCompleted, Ct);

        await Server.PushWebhooksAsync(job, url, new FakeWebhookOptions { Secret = Secret }, Ct);
        CliResult result = await run.WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains($"job {job.Id} could not be enqueued", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"enqueue it with fcstream enqueue {job.Id} --profile default.", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(password, result.Stderr, StringComparison.Ordinal);
        Assert.Equal(7, File.ReadAllLines(jsonl).Count(l => l.Length > 0));
    }

    [Fact]
    public async Task Listen_EnqueueQueueWithoutBroker_UsageErrorNamingTheOption()
    {
        CliResult result = await CliRun.RunAsync(
            ["listen", "--to", $"jsonl:{_directory.Combine("pages.jsonl")}", "--allow-unsigned", "--enqueue-queue", "jobs"], cancellationToken: Ct);

        result.AssertOneSentenceError(2);
        Assert.Contains("--enqueue-queue and --enqueue-profile apply only with --enqueue-amqp URL.", result.Stderr, StringComparison.Ordinal);
    }
}
