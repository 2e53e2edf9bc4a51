namespace Firecrawl.Streaming.RabbitMq;

/// <summary>Where jobs are queued and when a job message counts as poison.</summary>
public sealed class RabbitMqJobQueueOptions
{
    /// <summary>Gets or sets the name of the durable quorum queue of job messages. Default: <c>fcstream.jobs</c>.</summary>
    public string QueueName { get; set; } = "fcstream.jobs";

    /// <summary>
    /// Gets or sets the name of the queue that receives job messages delivered <see cref="DeliveryLimit"/> times without
    /// being acknowledged, and messages that are not job messages. Default: null, which means <see cref="QueueName"/>
    /// followed by <c>.dead</c>.
    /// </summary>
    public string? DeadLetterQueueName { get; set; }

    /// <summary>
    /// Gets or sets how many times a job message is delivered again (after a worker gave it back or died holding it)
    /// before it goes to the dead-letter queue: the quorum queue's <c>x-delivery-limit</c>. Default: 5.
    /// </summary>
    /// <remarks>Every worker crash, broker restart and graceful shutdown while a worker holds a message counts as one.</remarks>
    public int DeliveryLimit { get; set; } = 5;

    internal string DeadLetterQueue => DeadLetterQueueName ?? QueueName + ".dead";

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(QueueName, nameof(QueueName));
        if (DeadLetterQueueName is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(DeadLetterQueueName, nameof(DeadLetterQueueName));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(DeliveryLimit, 1, nameof(DeliveryLimit));
        if (string.Equals(DeadLetterQueue, QueueName, StringComparison.Ordinal))
        {
            throw new ArgumentException("DeadLetterQueueName must differ from QueueName.", nameof(DeadLetterQueueName));
        }
    }
}
