using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.RabbitMq;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;
using RabbitMQ.Client;

namespace Firecrawl.Streaming.Tests.RabbitMq;

/// <summary>
/// The sink contract against a real broker: a queue bound to the sink's exchange is the backend, read back as the
/// documented consumer reads it (deduplicating on the message id, which AMQP redelivery makes necessary).
/// </summary>
[Collection(RabbitMqGroup.Name)]
public sealed class RabbitMqPageSinkContractTests(RabbitMqFixture broker) : PageSinkContractTests, IAsyncLifetime
{
    private readonly string _exchange = $"pages-{Guid.NewGuid():N}";
    private readonly List<string> _received = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private IConnection? _connection;
    private IChannel? _channel;

    private string QueueName => _exchange + ".consumer";

    public async ValueTask InitializeAsync()
    {
        _connection = await broker.ConnectAsync(Ct);
        _channel = await _connection.CreateChannelAsync(cancellationToken: Ct);
        await _channel.ExchangeDeclareAsync(_exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: Ct);
        await _channel.QueueDeclareAsync(QueueName, durable: true, exclusive: false, autoDelete: false, cancellationToken: Ct);
        await _channel.QueueBindAsync(QueueName, _exchange, string.Empty, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.QueueDeleteAsync(QueueName, cancellationToken: CancellationToken.None);
            await _channel.ExchangeDeleteAsync(_exchange, cancellationToken: CancellationToken.None);
            await _channel.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    protected override ValueTask<IPageSink> CreateSinkAsync() => ValueTask.FromResult<IPageSink>(new RabbitMqPageSink(broker.AmqpUri, _exchange));

    protected override async Task<IReadOnlyList<string>> ReadBackKeysAsync()
    {
        // Drains what arrived since the last read; a consumer keeps the ids it has seen and drops a message it saw before.
        while (await _channel!.BasicGetAsync(QueueName, autoAck: true, Ct) is { } message)
        {
            string id = message.BasicProperties.MessageId ?? throw new InvalidOperationException("A page message has no message id.");
            if (_seen.Add(id))
            {
                _received.Add(id);
            }
        }

        return [.. _received];
    }

    [Fact]
    public async Task WriteAsync_Pages_PersistentJsonMessagesNamingTheirJob()
    {
        List<ScrapedPage> pages = TestPages.Create(3);
        await using (IPageSink sink = await CreateSinkAsync())
        {
            await sink.WriteAsync(pages, Ct);
        }

        BasicGetResult? first = await _channel!.BasicGetAsync(QueueName, autoAck: true, Ct);
        Assert.NotNull(first);
        Assert.True(first.BasicProperties.Persistent);
        Assert.Equal(pages[0].Key, first.BasicProperties.MessageId);
        Assert.Equal(pages[0].Utf8Json.ToArray(), first.Body.ToArray());
        Assert.Equal(pages[0].JobId, System.Text.Encoding.UTF8.GetString((byte[])first.BasicProperties.Headers!["fc-job-id"]!));
    }

    [Fact]
    public async Task WriteAsync_ExchangeRoutesToNoQueue_Throws()
    {
        string lonely = $"unbound-{Guid.NewGuid():N}";
        await using var sink = new RabbitMqPageSink(broker.AmqpUri, lonely);
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(async () => await sink.WriteAsync(TestPages.Create(1), Ct));
        }
        finally
        {
            await _channel!.ExchangeDeleteAsync(lonely, cancellationToken: Ct);
        }
    }
}
