using System.Text;
using Firecrawl.Streaming.Tests.Infrastructure;
using RabbitMQ.Client;

namespace Firecrawl.Streaming.Tests.RabbitMq;

/// <summary>The broker the tests run against is a real one: it speaks AMQP, confirms, and keeps durable messages across a restart.</summary>
[Collection(RabbitMqGroup.Name)]
public sealed class RabbitMqFixtureTests(RabbitMqFixture broker)
{
    [Fact]
    public async Task RestartAsync_DurableQuorumQueue_KeepsConfirmedMessages()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string queue = $"fixture-{Guid.NewGuid():N}";
        await using (IConnection connection = await broker.ConnectAsync(ct))
        await using (IChannel channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), ct))
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: ct);
            for (int i = 0; i < 3; i++)
            {
                await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, new BasicProperties { Persistent = true, MessageId = $"m{i}" },
                    Encoding.UTF8.GetBytes($"message {i}"), ct);
            }
        }

        await broker.RestartAsync();

        await using IConnection after = await broker.ConnectAsync(ct);
        await using IChannel check = await after.CreateChannelAsync(cancellationToken: ct);
        QueueDeclareOk state = await check.QueueDeclarePassiveAsync(queue, ct);
        Assert.Equal(3u, state.MessageCount);
        BasicGetResult? first = await check.BasicGetAsync(queue, autoAck: true, ct);
        Assert.Equal("m0", first?.BasicProperties.MessageId);
        await check.QueueDeleteAsync(queue, cancellationToken: ct);
    }
}
