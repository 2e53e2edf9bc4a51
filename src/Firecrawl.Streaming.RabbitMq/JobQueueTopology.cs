using RabbitMQ.Client;

namespace Firecrawl.Streaming.RabbitMq;

/// <summary>The queues the job queue needs, declared alike by whoever connects first (declaring is idempotent).</summary>
internal static class JobQueueTopology
{
    public static async Task DeclareAsync(IChannel channel, RabbitMqJobQueueOptions options, CancellationToken cancellationToken)
    {
        // The dead-letter queue is a quorum queue too: a poison message is kept, replicated, until someone looks at it.
        await channel.QueueDeclareAsync(options.DeadLetterQueue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueDeclareAsync(options.QueueName, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?>
        {
            // Quorum: replicated, durable, and it counts deliveries, which is what makes the delivery limit possible.
            ["x-queue-type"] = "quorum",
            ["x-delivery-limit"] = options.DeliveryLimit,
            ["x-dead-letter-exchange"] = string.Empty,
            ["x-dead-letter-routing-key"] = options.DeadLetterQueue,
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public static ConnectionFactory Factory(Uri amqpUri) => new()
    {
        Uri = amqpUri,
        AutomaticRecoveryEnabled = true,
        TopologyRecoveryEnabled = true,

        // A restarted broker is back within seconds; a worker reconnects soon after.
        NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
        RequestedHeartbeat = TimeSpan.FromSeconds(15),
    };
}
