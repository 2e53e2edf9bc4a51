using Firecrawl.Streaming.RabbitMq;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using RabbitMQ.Client;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary><c>fcstream enqueue</c>, <c>fcstream worker</c>'s checks, and <c>--to amqp:</c>, in-process against a real broker.</summary>
[Collection(RabbitMqGroup.Name)]
public sealed class WorkerCommandTests(RabbitMqFixture broker) : FakeServerTestBase
{
    private const string Secret = "s3cr3t-pw";

    [Fact]
    public async Task Enqueue_CrawlIdsWithAProfile_ConfirmedMessagesOnTheNamedQueue()
    {
        string queue = $"cli-jobs-{Guid.NewGuid():N}";
        CliResult result = await CliRun.RunAsync(["enqueue", "c-1", "c-2", "--crawl", "--profile", "search", "--queue", queue],
            new Dictionary<string, string?> { ["FCSTREAM_AMQP_URL"] = broker.AmqpUri.ToString() }, Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains($"Enqueued 2 jobs on {queue} (profile search).", result.Stderr, StringComparison.Ordinal);
        await using IConnection connection = await broker.ConnectAsync(Ct);
        await using IChannel channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        var messages = new List<JobMessage>();
        while (await channel.BasicGetAsync(queue, autoAck: true, Ct) is { } got)
        {
            messages.Add(JobMessage.Parse(got.Body.Span));
        }

        Assert.Equal(["crawl:c-1:search", "crawl:c-2:search"], messages.Select(m => m.MessageId));
        await channel.QueueDeleteAsync(queue, cancellationToken: Ct);
        await channel.QueueDeleteAsync(queue + ".dead", cancellationToken: Ct);
    }

    [Fact]
    public async Task Batch_ToAmqpExchange_PublishesEveryPageWithItsScrapeIdAsMessageId()
    {
        FakeJob job = Server.AddJob(Pages(45), new FakeJobOptions { PageLimit = 10 });
        string exchange = $"cli-pages-{Guid.NewGuid():N}";
        await using IConnection connection = await broker.ConnectAsync(Ct);
        await using IChannel channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, cancellationToken: Ct);
        QueueDeclareOk consumer = await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true, cancellationToken: Ct);
        await channel.QueueBindAsync(consumer.QueueName, exchange, string.Empty, cancellationToken: Ct);

        CliResult result = await CliRun.RunAsync(
            ["batch", job.Id, "--to", $"amqp:{exchange}", "--api-url", Server.BaseAddress.ToString(), "--quiet"],
            new Dictionary<string, string?> { ["FIRECRAWL_API_KEY"] = Server.ApiKey, ["FCSTREAM_AMQP_URL"] = broker.AmqpUri.ToString() }, Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var ids = new List<string?>();
        while (await channel.BasicGetAsync(consumer.QueueName, autoAck: true, Ct) is { } got)
        {
            ids.Add(got.BasicProperties.MessageId);
        }

        Assert.Equal(Enumerable.Range(0, 45).Select(TestPages.ScrapeId), ids);
        await channel.ExchangeDeleteAsync(exchange, cancellationToken: Ct);
    }

    [Fact]
    public async Task Enqueue_NoBroker_OneSentenceNamingTheOptionAndVariable()
    {
        CliResult result = await CliRun.RunAsync(["enqueue", "b-1"], cancellationToken: Ct);
        result.AssertOneSentenceError(2);
        Assert.Contains("--amqp URL or the FCSTREAM_AMQP_URL variable", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enqueue_NotAnAmqpUrl_UsageErrorWithoutEchoingIt()
    {
        CliResult result = await CliRun.RunAsync(["enqueue", "b-1", "--amqp", $"http://user:{Secret}@host/"], cancellationToken: Ct);
        result.AssertOneSentenceError(2, Secret);
        Assert.Contains("not an amqp:// or amqps:// URL", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_NoStateDatabase_UsageErrorAndTheBrokerPasswordNeverPrinted()
    {
        CliResult result = await CliRun.RunAsync(["worker", "--to", "jsonl:{job}.jsonl", "--amqp", $"amqp://user:{Secret}@127.0.0.1:1/"], cancellationToken: Ct);
        result.AssertOneSentenceError(2, Secret);
        Assert.Contains("--state-db", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_WithCheckpointFile_RefusedBecauseCheckpointsAreShared()
    {
        CliResult result = await CliRun.RunAsync(
            ["worker", "--to", "jsonl:{job}.jsonl", "--checkpoint", "x.checkpoint", "--amqp", broker.AmqpUri.ToString(), "--state-db", $"Host=127.0.0.1;Password={Secret}"],
            cancellationToken: Ct);
        result.AssertOneSentenceError(2, Secret);
        Assert.Contains("drop --checkpoint", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_ToAmqpWithoutBroker_UsageErrorNamingTheVariable()
    {
        FakeJob job = Server.AddJob(Pages(3));
        CliResult result = await CliRun.RunAsync(["batch", job.Id, "--to", "amqp:pages", "--api-url", Server.BaseAddress.ToString()],
            new Dictionary<string, string?> { ["FIRECRAWL_API_KEY"] = Server.ApiKey }, Ct);
        result.AssertOneSentenceError(2);
        Assert.Contains("FCSTREAM_AMQP_URL", result.Stderr, StringComparison.Ordinal);
    }
}
