using RabbitMQ.Client;

namespace Firecrawl.Streaming.RabbitMq;

/// <summary>
/// Publishes job messages to the durable quorum queue that <see cref="RabbitMqJobWorker"/>s consume: persistent, with
/// publisher confirms, so that a job <see cref="EnqueueAsync"/> returned for is on the broker's disk.
/// </summary>
/// <remarks>
/// Enqueueing a job twice is harmless: both messages carry the same <see cref="JobMessage.MessageId"/>, and the worker
/// that takes the second finds the job done, or being streamed, in the shared store. The queue and its dead-letter
/// queue are declared on first use. One connection, opened on first use; thread-safe.
/// </remarks>
public sealed class RabbitMqJobQueueClient : IAsyncDisposable
{
    private readonly Uri _amqpUri;
    private readonly RabbitMqJobQueueOptions _options;
    private readonly SemaphoreSlim _open = new(1, 1);
    private ConfirmedChannel? _link;

    /// <summary>Creates a job queue client; nothing is sent until the first call.</summary>
    /// <param name="amqpUri">The broker, e.g. <c>amqp://user:password@host:5672/vhost</c>.</param>
    /// <param name="options">Queue names and the delivery limit; null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public RabbitMqJobQueueClient(Uri amqpUri, RabbitMqJobQueueOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(amqpUri);
        _options = options ?? new RabbitMqJobQueueOptions();
        _options.Validate();
        _amqpUri = amqpUri;
    }

    /// <summary>Publishes job messages and waits until the broker has confirmed every one.</summary>
    /// <param name="jobs">The jobs.</param>
    /// <param name="cancellationToken">Cancels the wait; messages already sent may still be queued.</param>
    /// <returns>A task that completes when every message is confirmed.</returns>
    /// <exception cref="RabbitMQ.Client.Exceptions.PublishException">The broker refused or returned a message.</exception>
    public async Task EnqueueAsync(IEnumerable<JobMessage> jobs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        IChannel channel = await ChannelAsync(cancellationToken).ConfigureAwait(false);
        var confirms = new List<Task>();
        foreach (JobMessage job in jobs)
        {
            var properties = new BasicProperties
            {
                MessageId = job.MessageId,
                Persistent = true,
                ContentType = "application/json",
                Type = "fcstream.job",
            };

            // Sent one after another, confirmed together: the confirms of a long list overlap instead of adding up.
            confirms.Add(channel.BasicPublishAsync(string.Empty, _options.QueueName, mandatory: true, properties, job.ToUtf8Json(), cancellationToken).AsTask());
        }

        await Task.WhenAll(confirms).ConfigureAwait(false);
    }

    /// <summary>Counts the messages waiting in the job queue and in its dead-letter queue (messages being worked on are not counted).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The counts.</returns>
    public async Task<(uint Ready, uint DeadLettered)> CountAsync(CancellationToken cancellationToken = default)
    {
        IChannel channel = await ChannelAsync(cancellationToken).ConfigureAwait(false);
        QueueDeclareOk jobs = await channel.QueueDeclarePassiveAsync(_options.QueueName, cancellationToken).ConfigureAwait(false);
        QueueDeclareOk dead = await channel.QueueDeclarePassiveAsync(_options.DeadLetterQueue, cancellationToken).ConfigureAwait(false);
        return (jobs.MessageCount, dead.MessageCount);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_link is not null)
        {
            await _link.DisposeAsync().ConfigureAwait(false);
            _link = null;
        }

        _open.Dispose();
    }

    private async Task<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        if (_link is { } ready)
        {
            return ready.Channel;
        }

        await _open.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_link is null)
            {
                ConfirmedChannel link = await ConfirmedChannel.OpenAsync(_amqpUri, "fcstream-enqueue", cancellationToken).ConfigureAwait(false);
                await JobQueueTopology.DeclareAsync(link.Channel, _options, cancellationToken).ConfigureAwait(false);
                _link = link;
            }

            return _link.Channel;
        }
        finally
        {
            _open.Release();
        }
    }
}
