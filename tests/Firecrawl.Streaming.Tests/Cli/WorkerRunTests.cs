using System.Diagnostics;
using System.Text;
using Firecrawl.Streaming.Sinks.PostgreSql;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;
using Npgsql;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary><c>fcstream worker</c> in-process (its token standing for SIGTERM) against a real broker and database.</summary>
[Collection(RabbitMqGroup.Name)]
public sealed class WorkerRunTests(RabbitMqFixture broker, PostgresDatabase database) : FakeServerTestBase, IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly string _queue = $"run-jobs-{Guid.NewGuid():N}";

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Worker_JobUnknownToTheServer_RecordedFailedWithTheReasonAndAcknowledged()
    {
        string missing = Guid.NewGuid().ToString();
        await EnqueueAsync(missing);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        Task<CliResult> worker = RunWorkerAsync(stop.Token);
        await using NpgsqlDataSource dataSource = database.CreateDataSource();
        var store = new PostgresJobStore(dataSource);

        await WaitUntilAsync(async () => (await store.GetAsync(missing, "default", Ct))?.State == PostgresJobState.Failed, worker, stop);
        await WaitUntilAsync(async () => await broker.CtlAsync("list_queues", "name", "messages") is { } t && t.Contains($"{_queue}\t0", StringComparison.Ordinal), worker, stop);
        await stop.CancelAsync();
        CliResult result = await worker;

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("not found", (await store.GetAsync(missing, "default", Ct))!.Reason, StringComparison.Ordinal);
        Assert.Contains($"batch:{missing}:default: failed for good:", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_StoppedMidJob_LeaseReleasedMessageReturnedAndTheNextWorkerFinishesEveryPageOnce()
    {
        FakeJob job = Server.AddJob(Pages(300), new FakeJobOptions { PageLimit = 10, Latency = TimeSpan.FromMilliseconds(30) });
        await EnqueueAsync(job.Id);
        string file = _directory.Combine($"{job.Id}.jsonl");
        await using NpgsqlDataSource dataSource = database.CreateDataSource();
        var store = new PostgresJobStore(dataSource);

        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            Task<CliResult> first = RunWorkerAsync(stop.Token);
            await WaitUntilAsync(() => Task.FromResult(File.Exists(file) && File.ReadLines(file).Count() > 20), first, stop);
            await stop.CancelAsync();
            CliResult stopped = await first;
            Assert.True(stopped.ExitCode == 0, stopped.Stderr);
        }

        PostgresJobRecord? paused = await store.GetAsync(job.Id, "default", Ct);
        Assert.Equal((PostgresJobState.Pending, (string?)null), (paused?.State, paused?.Holder));
        int partial = File.ReadLines(file).Count();
        Assert.InRange(partial, 21, 299);

        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            Task<CliResult> second = RunWorkerAsync(stop.Token);
            await WaitUntilAsync(async () => (await store.GetAsync(job.Id, "default", Ct))?.State == PostgresJobState.Completed, second, stop);
            await stop.CancelAsync();
            CliResult finished = await second;
            Assert.True(finished.ExitCode == 0, finished.Stderr);
        }

        string[] keys = [.. File.ReadAllLines(file).Where(l => l.Length > 0).Select(l => PageParser.Parse(Encoding.UTF8.GetBytes(l)).Key)];
        Assert.Equal(Enumerable.Range(0, 300).Select(TestPages.ScrapeId), keys);
        PostgresJobRecord? done = await store.GetAsync(job.Id, "default", Ct);
        Assert.Equal((2, (long?)300, (long?)0), (done!.Attempts, done.Delivered, done.Unaccounted));
    }

    [Fact]
    public async Task Worker_BigJobStillScraping_StreamedWholeByOneWalkNotSplit()
    {
        FakeJob job = Server.AddJob(Pages(300), new FakeJobOptions { PageLimit = 10, ScrapingRequests = 6 });
        await using NpgsqlDataSource dataSource = database.CreateDataSource();
        var store = new PostgresJobStore(dataSource);

        CliResult result = await RunUntilCompletedAsync(store, job.Id, "{job}-{range}.jsonl", "--split-pages", "100");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Empty(await store.ListRangesAsync(job.Id, "default", Ct));
        Assert.DoesNotContain("split into", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(300, File.ReadLines(_directory.Combine($"{job.Id}-all.jsonl")).Count());
    }

    [Fact]
    public async Task Worker_FileSinkWithoutRangeInItsTarget_SaysWhyOnceAndStreamsABigFinishedJobWhole()
    {
        FakeJob job = Server.AddJob(Pages(300), new FakeJobOptions { PageLimit = 10 });
        await using NpgsqlDataSource dataSource = database.CreateDataSource();
        var store = new PostgresJobStore(dataSource);

        CliResult result = await RunUntilCompletedAsync(store, job.Id, "{job}.jsonl", "--split-pages", "100");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Single(result.Stderr.Split('\n'), line => line.Contains("Big jobs are streamed whole, not split across workers", StringComparison.Ordinal));
        Assert.Contains("put {range} in their targets", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(await store.ListRangesAsync(job.Id, "default", Ct));
        Assert.Equal(300, File.ReadLines(_directory.Combine($"{job.Id}.jsonl")).Count());
    }

    /// <summary>Enqueues the job, runs a worker until the job is recorded completed, then stops it (SIGTERM) and returns its run.</summary>
    private async Task<CliResult> RunUntilCompletedAsync(PostgresJobStore store, string jobId, string file, params string[] more)
    {
        await EnqueueAsync(jobId);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        Task<CliResult> worker = RunWorkerAsync(stop.Token, file, more);
        await WaitUntilAsync(async () => (await store.GetAsync(jobId, "default", Ct))?.State == PostgresJobState.Completed, worker, stop);
        await stop.CancelAsync();
        return await worker;
    }

    private async Task EnqueueAsync(string jobId)
    {
        CliResult enqueued = await CliRun.RunAsync(["enqueue", jobId, "--amqp", broker.AmqpUri.ToString(), "--queue", _queue], cancellationToken: Ct);
        Assert.True(enqueued.ExitCode == 0, enqueued.Stderr);
    }

    private Task<CliResult> RunWorkerAsync(CancellationToken stop, string file = "{job}.jsonl", params string[] more) => CliRun.RunAsync(
        ["worker", "--amqp", broker.AmqpUri.ToString(), "--queue", _queue, "--state-db", database.ConnectionString,
         "--to", "jsonl:" + _directory.Combine(file), "--api-url", Server.BaseAddress.ToString(),
         "--chunk-limit", "10", "--poll-interval", "20ms", "--checkpoint-every", "10", "--max-retries", "0", "--lease", "5s", .. more],
        new Dictionary<string, string?> { ["FIRECRAWL_API_KEY"] = Server.ApiKey }, stop);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Task<CliResult> worker, CancellationTokenSource stop)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (worker.IsCompleted)
            {
                Assert.Fail("The worker ended: " + (await worker).Stderr);
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                await stop.CancelAsync();
                Assert.Fail("Timed out; the worker said: " + (await worker).Stderr);
            }

            await Task.Delay(25, Ct);
        }
    }
}
