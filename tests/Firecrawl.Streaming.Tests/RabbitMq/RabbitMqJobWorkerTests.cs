using System.Collections.Concurrent;
using System.Text;
using Firecrawl.Streaming.RabbitMq;
using Firecrawl.Streaming.Tests.Infrastructure;
using RabbitMQ.Client;

namespace Firecrawl.Streaming.Tests.RabbitMq;

/// <summary>The job queue and its worker against a real broker: acknowledgements, redelivery, dead letters, shutdown, restarts.</summary>
[Collection(RabbitMqGroup.Name)]
public sealed class RabbitMqJobWorkerTests(RabbitMqFixture broker)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);
    private readonly RabbitMqJobQueueOptions _queue = new() { QueueName = $"jobs-{Guid.NewGuid():N}", DeliveryLimit = 2 };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EnqueueAsync_SameJobTwice_TwoMessagesWithOneMessageId()
    {
        await using var queue = new RabbitMqJobQueueClient(broker.AmqpUri, _queue);
        var job = new JobMessage(JobKind.Crawl, "c1", "nightly");
        await queue.EnqueueAsync([job], Ct);
        await queue.EnqueueAsync([new JobMessage(JobKind.Crawl, "c1", "nightly")], Ct);

        Assert.Equal((2u, 0u), await queue.CountAsync(Ct));
        await using IConnection connection = await broker.ConnectAsync(Ct);
        await using IChannel channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        BasicGetResult? first = await channel.BasicGetAsync(_queue.QueueName, autoAck: true, Ct);
        BasicGetResult? second = await channel.BasicGetAsync(_queue.QueueName, autoAck: true, Ct);
        Assert.Equal(job.MessageId, first?.BasicProperties.MessageId);
        Assert.Equal(job.MessageId, second?.BasicProperties.MessageId);
        JobMessage parsed = JobMessage.Parse(first!.Body.Span);
        Assert.Equal((JobKind.Crawl, "c1", "nightly"), (parsed.Kind, parsed.JobId, parsed.Profile));
        await DeleteQueuesAsync();
    }

    [Fact]
    public async Task RunAsync_HandlerCompletes_EveryMessageAcknowledgedWithinConcurrency()
    {
        await using var queue = new RabbitMqJobQueueClient(broker.AmqpUri, _queue);
        await queue.EnqueueAsync(Enumerable.Range(0, 6).Select(i => new JobMessage(JobKind.BatchScrape, $"job-{i}")), Ct);
        var seen = new ConcurrentDictionary<string, int>();
        int running = 0, most = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var worker = new RabbitMqJobWorker(broker.AmqpUri, new RabbitMqJobWorkerOptions { Queue = _queue, Concurrency = 2 });
        Task run = worker.RunAsync(async (delivery, ct) =>
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await Task.Delay(50, ct);
            Interlocked.Decrement(ref running);
            if (seen.AddOrUpdate(delivery.Message.JobId, 1, (_, n) => n + 1) == 1 && seen.Count == 6)
            {
                _ = Task.Run(async () => { await Task.Delay(200, CancellationToken.None); await stop.CancelAsync(); }, CancellationToken.None);
            }

            return JobOutcome.Completed;
        }, stop.Token);

        await run.WaitAsync(s_wait, Ct);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"job-{i}"), seen.Keys.Order());
        Assert.All(seen.Values, n => Assert.Equal(1, n));
        Assert.InRange(most, 1, 2);
        Assert.Equal((0u, 0u), await queue.CountAsync(Ct));
        await DeleteQueuesAsync();
    }

    [Fact]
    public async Task RunAsync_HandlerKeepsAskingToRetry_DeadLetteredAfterTheDeliveryLimit()
    {
        await using var queue = new RabbitMqJobQueueClient(broker.AmqpUri, _queue);
        await queue.EnqueueAsync([new JobMessage(JobKind.BatchScrape, "flaky")], Ct);
        var counts = new ConcurrentQueue<long>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        Task run = new RabbitMqJobWorker(broker.AmqpUri, new RabbitMqJobWorkerOptions { Queue = _queue }).RunAsync((delivery, _) =>
        {
            counts.Enqueue(delivery.DeliveryCount);
            return Task.FromResult(JobOutcome.Retry);
        }, stop.Token);

        await WaitUntilAsync(async () => (await queue.CountAsync(Ct)).DeadLettered == 1);
        await stop.CancelAsync();
        await run.WaitAsync(s_wait, Ct);
        Assert.Equal(new long[] { 0, 1, 2 }, counts.ToArray());
        Assert.Equal((0u, 1u), await queue.CountAsync(Ct));
        await DeleteQueuesAsync();
    }

    [Fact]
    public async Task RunAsync_MessageIsNotAJob_DeadLetteredWithoutCallingTheHandler()
    {
        await using var queue = new RabbitMqJobQueueClient(broker.AmqpUri, _queue);
        await queue.EnqueueAsync([new JobMessage(JobKind.BatchScrape, "good")], Ct);
        await PublishRawAsync("{\"v\":1,\"kind\":\"scrape\",\"jobId\":\"x\"}");
        var handled = new ConcurrentQueue<string>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        Task run = new RabbitMqJobWorker(broker.AmqpUri, new RabbitMqJobWorkerOptions { Queue = _queue }).RunAsync((delivery, _) =>
        {
            handled.Enqueue(delivery.Message.JobId);
            return Task.FromResult(JobOutcome.Completed);
        }, stop.Token);

        await WaitUntilAsync(async () => (await queue.CountAsync(Ct)) == (0u, 1u) && !handled.IsEmpty);
        await stop.CancelAsync();
        await run.WaitAsync(s_wait, Ct);
        Assert.Equal(["good"], handled);
        await DeleteQueuesAsync();
    }

    [Fact]
    public async Task RunAsync_StoppedMidJob_HandlerCancelledAndMessageBackInTheQueue()
    {
        await using var queue = new RabbitMqJobQueueClient(broker.AmqpUri, _queue);
        await queue.EnqueueAsync([new JobMessage(JobKind.BatchScrape, "long")], Ct);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool cancelled = false;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        Task run = new RabbitMqJobWorker(broker.AmqpUri, new RabbitMqJobWorkerOptions { Queue = _queue }).RunAsync(async (_, ct) =>
        {
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
                throw;
            }

            return JobOutcome.Completed;
        }, stop.Token);

        await started.Task.WaitAsync(s_wait, Ct);
        Assert.Equal((0u, 0u), await queue.CountAsync(Ct));
        await stop.CancelAsync();
        await run.WaitAsync(s_wait, Ct);
        Assert.True(cancelled);

        // The broker requeues the returned message asynchronously (a quorum queue commits it through its log first).
        await WaitUntilAsync(async () => await queue.CountAsync(Ct) == (1u, 0u));
        await DeleteQueuesAsync();
    }

    [Fact]
    public async Task RunAsync_BrokerRestartsMidJob_MessageDeliveredAgainAndNewOnesConsumed()
    {
        // Each restart counts as a delivery of the held message: leave room for it.
        _queue.DeliveryLimit = 5;
        await using (var queue = new RabbitMqJobQueueClient(broker.AmqpUri, _queue))
        {
            await queue.EnqueueAsync([new JobMessage(JobKind.BatchScrape, "before")], Ct);
        }

        var deliveries = new ConcurrentQueue<string>();
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var log = new ConcurrentQueue<string>();
        var options = new RabbitMqJobWorkerOptions { Queue = _queue, Log = log.Enqueue };
        Task run = new RabbitMqJobWorker(broker.AmqpUri, options).RunAsync(async (delivery, ct) =>
        {
            deliveries.Enqueue(delivery.Message.JobId);
            if (deliveries.Count == 1)
            {
                // The first delivery is held across the restart; its acknowledgement then goes nowhere.
                holding.TrySetResult();
                await restarted.Task.WaitAsync(ct);
            }

            return JobOutcome.Completed;
        }, stop.Token);

        await Task.WhenAny(holding.Task, run).WaitAsync(s_wait, Ct);
        Assert.False(run.IsCompleted, $"The worker stopped: {run.Exception?.InnerException?.Message}");
        await broker.RestartAsync();
        restarted.TrySetResult();
        await using (var queue = new RabbitMqJobQueueClient(broker.AmqpUri, options.Queue))
        {
            await queue.EnqueueAsync([new JobMessage(JobKind.BatchScrape, "after")], Ct);
            try
            {
                await WaitUntilAsync(() => Task.FromResult(deliveries.Contains("after") && deliveries.Count(d => d == "before") == 2));
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Deliveries: {string.Join(", ", deliveries)}; worker log: {string.Join(" | ", log)}; queue: {await queue.CountAsync(Ct)}");
            }

            await WaitUntilAsync(async () => await queue.CountAsync(Ct) == (0u, 0u));
        }

        await stop.CancelAsync();
        await run.WaitAsync(s_wait, Ct);
        Assert.Equal(0, await UnacknowledgedAsync());
        await DeleteQueuesAsync();
    }

    private async Task<int> UnacknowledgedAsync()
    {
        string table = await broker.CtlAsync("list_queues", "name", "messages_unacknowledged");
        string? line = table.Split('\n').FirstOrDefault(l => l.StartsWith(_queue.QueueName + "\t", StringComparison.Ordinal));
        return line is null ? throw new InvalidOperationException($"No queue {_queue.QueueName} in:\n{table}") : int.Parse(line.Split('\t')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task PublishRawAsync(string body)
    {
        await using IConnection connection = await broker.ConnectAsync(Ct);
        await using IChannel channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), Ct);
        await channel.BasicPublishAsync(string.Empty, _queue.QueueName, mandatory: true, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes(body), Ct);
    }

    private async Task DeleteQueuesAsync()
    {
        await using IConnection connection = await broker.ConnectAsync(Ct);
        await using IChannel channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        await channel.QueueDeleteAsync(_queue.QueueName, cancellationToken: Ct);
        await channel.QueueDeleteAsync(_queue.QueueName + ".dead", cancellationToken: Ct);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(s_wait);
        while (!await condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
