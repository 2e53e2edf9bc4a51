using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Firecrawl.Streaming.RabbitMq;

/// <summary>
/// Consumes the job queue: hands each job message to a handler, at most <see cref="RabbitMqJobWorkerOptions.Concurrency"/>
/// at once, and acknowledges it only when the handler says the job is done or failed for good.
/// </summary>
/// <remarks>
/// <para><b>At least once.</b> A message is acknowledged after its handler returns, never before, so a worker that
/// dies mid-job leaves it unacknowledged and the broker delivers it to another worker, which resumes from the shared
/// checkpoint. The handler must therefore be idempotent: a job done already must be recognised and reported
/// <see cref="JobOutcome.Completed"/> again.</para>
/// <para><b>Poison.</b> A body that is not a job message is rejected without requeueing and goes to the dead-letter
/// queue at once; a job whose handler keeps throwing or asking to retry goes there after the queue's delivery limit.</para>
/// <para><b>Broker restarts.</b> The connection recovers by itself and the consumer is registered again. Messages the
/// worker held were returned to the queue by the restart; an acknowledgement for one of them is dropped (the broker
/// delivers it again, and the handler finds the job done).</para>
/// <para><b>Shutdown.</b> Cancelling <see cref="RunAsync"/>'s token stops the consumer first (no new messages), then
/// cancels the handlers through the same token: each saves its checkpoint and returns, its message goes back to the
/// queue, and <see cref="RunAsync"/> returns when the last one has.</para>
/// </remarks>
public sealed class RabbitMqJobWorker
{
    private readonly Uri _amqpUri;
    private readonly RabbitMqJobWorkerOptions _options;

    /// <summary>Creates a worker; nothing is sent until <see cref="RunAsync"/>.</summary>
    /// <param name="amqpUri">The broker.</param>
    /// <param name="options">The queue, the concurrency and the prefetch; null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public RabbitMqJobWorker(Uri amqpUri, RabbitMqJobWorkerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(amqpUri);
        _options = options ?? new RabbitMqJobWorkerOptions();
        _options.Validate();
        _amqpUri = amqpUri;
    }

    /// <summary>Consumes job messages until <paramref name="stoppingToken"/> is cancelled, then stops gracefully.</summary>
    /// <param name="handler">Streams one job; it receives <paramref name="stoppingToken"/> and must return soon after it is cancelled.</param>
    /// <param name="stoppingToken">Stops the worker.</param>
    /// <returns>A task that completes when the worker has stopped and every handler has returned.</returns>
    /// <exception cref="RabbitMQ.Client.Exceptions.BrokerUnreachableException">The broker cannot be reached at start.</exception>
    public async Task RunAsync(Func<JobDelivery, CancellationToken, Task<JobOutcome>> handler, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ConnectionFactory factory = JobQueueTopology.Factory(_amqpUri);
        await using IConnection connection = await factory.CreateConnectionAsync($"fcstream-worker-{Environment.ProcessId}", stoppingToken).ConfigureAwait(false);
        await using IChannel channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: false, publisherConfirmationTrackingEnabled: false,
                consumerDispatchConcurrency: (ushort)_options.Concurrency), stoppingToken).ConfigureAwait(false);
        await JobQueueTopology.DeclareAsync(channel, _options.Queue, stoppingToken).ConfigureAwait(false);
        await channel.BasicQosAsync(0, (ushort)_options.EffectivePrefetch, global: false, stoppingToken).ConfigureAwait(false);

        var inFlight = new InFlight();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            inFlight.Enter();
            try
            {
                await HandleAsync(channel, delivery, handler, stoppingToken).ConfigureAwait(false);
            }
            finally
            {
                inFlight.Exit();
            }
        };
        string consumerTag = await channel.BasicConsumeAsync(_options.Queue.QueueName, autoAck: false, consumer, stoppingToken).ConfigureAwait(false);

        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: below.
        }

        try
        {
            // No new deliveries; prefetched ones not yet started are given back by the handler path (stopping) or the close.
            await channel.BasicCancelAsync(consumerTag, noWait: false, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.AlreadyClosedException or RabbitMQ.Client.Exceptions.OperationInterruptedException or IOException)
        {
            Log($"stopping the consumer: {e.Message}");
        }

        await inFlight.DrainedAsync().ConfigureAwait(false);
        await channel.CloseAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private async Task HandleAsync(IChannel channel, BasicDeliverEventArgs delivery, Func<JobDelivery, CancellationToken, Task<JobOutcome>> handler, CancellationToken stoppingToken)
    {
        ulong tag = delivery.DeliveryTag;
        JobMessage message;
        try
        {
            message = JobMessage.Parse(delivery.Body.Span);
        }
        catch (InvalidDataException e)
        {
            Log($"message {delivery.BasicProperties.MessageId ?? "(no id)"} rejected to the dead-letter queue: {e.Message}");
            await SettleAsync(() => channel.BasicRejectAsync(tag, requeue: false, CancellationToken.None)).ConfigureAwait(false);
            return;
        }

        if (stoppingToken.IsCancellationRequested)
        {
            await SettleAsync(() => channel.BasicNackAsync(tag, multiple: false, requeue: true, CancellationToken.None)).ConfigureAwait(false);
            return;
        }

        JobOutcome outcome;
        try
        {
            outcome = await handler(new JobDelivery(message, delivery.Redelivered, DeliveryCount(delivery.BasicProperties)), stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log(stoppingToken.IsCancellationRequested ? $"{message} stopped; it goes back to the queue" : $"{message} failed and goes back to the queue: {e.Message}");
            outcome = JobOutcome.Retry;
        }

        await SettleAsync(() => outcome == JobOutcome.Retry
            ? channel.BasicNackAsync(tag, multiple: false, requeue: true, CancellationToken.None)
            : channel.BasicAckAsync(tag, multiple: false, CancellationToken.None)).ConfigureAwait(false);
    }

    /// <summary>
    /// Acknowledges or gives back a message. When the channel was lost meanwhile (a broker restart), the broker has
    /// returned the message to the queue already and will deliver it again: nothing more to do here.
    /// </summary>
    private async Task SettleAsync(Func<ValueTask> settle)
    {
        try
        {
            await settle().ConfigureAwait(false);
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.AlreadyClosedException or RabbitMQ.Client.Exceptions.OperationInterruptedException or IOException or ObjectDisposedException)
        {
            Log($"an acknowledgement was lost ({e.Message}); the broker delivers that message again");
        }
    }

    private static long DeliveryCount(IReadOnlyBasicProperties properties) =>
        properties.Headers is { } headers && headers.TryGetValue("x-delivery-count", out object? value) ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    private void Log(string line) => _options.Log?.Invoke(line);

    /// <summary>Counts running handlers so that stopping can wait for the last one.</summary>
    private sealed class InFlight
    {
        private readonly Lock _gate = new();
        private int _count;
        private TaskCompletionSource? _drained;

        public void Enter()
        {
            lock (_gate)
            {
                _count++;
            }
        }

        public void Exit()
        {
            lock (_gate)
            {
                if (--_count == 0)
                {
                    _drained?.TrySetResult();
                }
            }
        }

        public Task DrainedAsync()
        {
            lock (_gate)
            {
                if (_count == 0)
                {
                    return Task.CompletedTask;
                }

                _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _drained.Task;
            }
        }
    }
}
