using System.Text;
using Firecrawl.Streaming.Sinks.PostgreSql;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;
using Npgsql;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary>
/// A big finished job split into ranges streamed by three worker processes at once, against a real broker and a real
/// database, then reconciled: every page exactly once in the PostgreSQL sink and across the ranges' JSON Lines files.
/// </summary>
[Collection(RabbitMqGroup.Name)]
public sealed class WorkerRangeTests(RabbitMqFixture broker, PostgresDatabase database) : FakeServerTestBase, IClassFixture<PostgresDatabase>, IDisposable
{
    private const int PagesPerJob = 600;
    private static readonly TimeSpan s_deadline = TimeSpan.FromMinutes(3);
    private readonly TempDirectory _directory = new();
    private readonly string _queue = $"ranges-{Guid.NewGuid():N}";
    private readonly string _table = $"pages_{Guid.NewGuid():N}";
    private readonly List<WorkerProcess> _workers = [];

    // Called by the base class's DisposeAsync before it stops the fake server.
    public void Dispose()
    {
        foreach (WorkerProcess worker in _workers)
        {
            worker.Dispose();
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task Workers_BigJobSplitAndTheWorkerOfARangeKilledMidRange_RangeTakenOverEveryPageOnceAndReconciled()
    {
        FakeJob job = Server.AddJob(Enumerable.Range(0, PagesPerJob).Select(i => TestPages.Json(i)), new FakeJobOptions { Latency = TimeSpan.FromMilliseconds(250) });
        StartWorkers();
        await EnqueueAsync(job);

        // SIGKILL a worker once it has written part of a range.
        (WorkerProcess victim, JobRange range) = await WaitForPartialRangeAsync(job);
        victim.Process.Kill();
        await victim.Process.WaitForExitAsync(Ct);

        await using NpgsqlDataSource dataSource = database.CreateDataSource();
        var store = new PostgresJobStore(dataSource);
        await WaitUntilAsync(async () => (await store.GetAsync(job.Id, "default", Ct))?.State == PostgresJobState.Completed, "the job completed");
        await WaitUntilAsync(async () => await WorkerProcess.QueueStateAsync(broker, _queue) == (0, 0), "the queue empty with nothing unacknowledged");
        await StopWorkersAsync(_workers.Where(w => w != victim));

        IReadOnlyList<PostgresJobRecord> ranges = await store.ListRangesAsync(job.Id, "default", Ct);
        Assert.Equal(JobRange.Split(PagesPerJob, 100), ranges.Select(r => r.Range!.Value));
        Assert.All(ranges, r => Assert.Equal((PostgresJobState.Completed, (long?)100, (long?)0), (r.State, r.Delivered, r.Unaccounted)));
        Assert.True(ranges.Single(r => r.Range == range).Attempts >= 2, "the killed worker's range was not taken over: " + AllLogs());
        AssertJobCompleted((await store.GetAsync(job.Id, "default", Ct))!);
        Assert.Equal(PostgresJobState.Completed, (await store.GetAsync(PostgresJobStore.ReconcileKey(job.Id), "default", Ct))!.State);
        Assert.Contains(_workers, w => w.Log.Contains("claimed once each, of 600: coverage complete", StringComparison.Ordinal));
        Assert.False(File.Exists(_directory.Combine($"{job.Id}-all.jsonl")), "the reconcile walked the job although the ranges covered it");
        await AssertEveryPageOnceAsync(dataSource, job);
    }

    [Fact]
    public async Task Workers_ARangesListingRepeatsTheRangeBeforeIt_ClaimsKeepEveryPageOnceAndTheReconcileFillsTheGap()
    {
        // The chunk at skip 200 starts with the 10 pages before it, as shifting offsets serve them: range 200-300 lists
        // pages range 100-200 lists too, and never sees pages 200-209.
        FakeJob job = Server.AddJob(Enumerable.Range(0, PagesPerJob).Select(i => TestPages.Json(i)), new FakeJobOptions { Latency = TimeSpan.FromMilliseconds(10) });
        job.Faults.Enqueue(FakeFault.DuplicatePages(10), atSkip: 200);
        StartWorkers();
        await EnqueueAsync(job);

        await using NpgsqlDataSource dataSource = database.CreateDataSource();
        var store = new PostgresJobStore(dataSource);
        await WaitUntilAsync(async () => (await store.GetAsync(job.Id, "default", Ct))?.State == PostgresJobState.Completed, "the job completed");
        await WaitUntilAsync(async () => await WorkerProcess.QueueStateAsync(broker, _queue) == (0, 0), "the queue empty with nothing unacknowledged");
        await StopWorkersAsync(_workers);

        AssertJobCompleted((await store.GetAsync(job.Id, "default", Ct))!);
        IReadOnlyDictionary<string, long> claims = await new PostgresPageClaims(dataSource).CountAsync(job.Id, "default", Ct);
        Assert.Equal(10, claims["reconcile"]); // pages 200-209, which no range listed
        Assert.Equal(590, claims.Where(c => c.Key != "reconcile").Sum(c => c.Value));
        Assert.Contains(_workers, w => w.Log.Contains("one walk of the whole job delivers what no range claimed", StringComparison.Ordinal));
        Assert.Equal(
            Enumerable.Range(200, 10).Select(TestPages.ScrapeId).Order(StringComparer.Ordinal),
            JsonLinesKeys(_directory.Combine($"{job.Id}-all.jsonl")).Order(StringComparer.Ordinal));
        await AssertEveryPageOnceAsync(dataSource, job);
    }

    private static void AssertJobCompleted(PostgresJobRecord record) =>
        Assert.Equal((PostgresJobState.Completed, (long?)PagesPerJob, (long?)PagesPerJob, (long?)0), (record.State, record.Delivered, record.Expected, record.Unaccounted));

    private void StartWorkers()
    {
        for (int i = 0; i < 3; i++)
        {
            _workers.Add(WorkerProcess.Start(i, [
                "worker", "--amqp", broker.AmqpUri.ToString(), "--queue", _queue, "--state-db", database.ConnectionString, "--split-pages", "100",
                "--to", "jsonl:" + _directory.Combine("{job}-{range}.jsonl"), "--to", "postgres:" + _table, "--pg-connection", database.ConnectionString,
                "--api-url", Server.BaseAddress.ToString(), "--chunk-limit", "10", "--poll-interval", "20ms", "--checkpoint-every", "10", "--lease", "3s"],
                Server.ApiKey));
        }
    }

    private async Task EnqueueAsync(FakeJob job)
    {
        CliResult enqueued = await CliRun.RunAsync(["enqueue", job.Id, "--amqp", broker.AmqpUri.ToString(), "--queue", _queue], cancellationToken: Ct);
        Assert.True(enqueued.ExitCode == 0, enqueued.Stderr);
    }

    private async Task StopWorkersAsync(IEnumerable<WorkerProcess> workers)
    {
        foreach (WorkerProcess worker in workers)
        {
            worker.Signal("TERM");
        }

        foreach (WorkerProcess worker in workers)
        {
            await worker.Process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
            Assert.True(worker.Process.ExitCode == 0, $"worker exit {worker.Process.ExitCode}: {worker.Log}");
        }
    }

    /// <summary>Every page once in the PostgreSQL sink, and once across the ranges' (and the reconcile's) JSON Lines files.</summary>
    private async Task AssertEveryPageOnceAsync(NpgsqlDataSource dataSource, FakeJob job)
    {
        string[] expected = [.. Enumerable.Range(0, PagesPerJob).Select(TestPages.ScrapeId).Order(StringComparer.Ordinal)];
        string[] files = Directory.GetFiles(_directory.Path, $"{job.Id}-*.jsonl");
        Assert.Equal(expected, files.SelectMany(JsonLinesKeys).Order(StringComparer.Ordinal));
        var stored = new List<string>();
        await using NpgsqlCommand command = dataSource.CreateCommand($"SELECT scrape_id FROM {_table} WHERE job_id = @job");
        command.Parameters.AddWithValue("job", job.Id);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            stored.Add(reader.GetString(0));
        }

        Assert.Equal(expected, stored.Order(StringComparer.Ordinal));
    }

    private static IEnumerable<string> JsonLinesKeys(string file) =>
        File.ReadAllLines(file).Where(l => l.Length > 0).Select(l => PageParser.Parse(Encoding.UTF8.GetBytes(l)).Key);

    /// <summary>Waits until some worker streams a range whose JSON Lines file holds some of its pages but not all.</summary>
    private async Task<(WorkerProcess, JobRange)> WaitForPartialRangeAsync(FakeJob job)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        string prefix = $"batch:{job.Id}:default:";
        while (true)
        {
            foreach (WorkerProcess worker in _workers)
            {
                foreach (string line in worker.Lines.Reverse())
                {
                    int at = line.IndexOf(": streaming (attempt 1)", StringComparison.Ordinal);
                    if (line.StartsWith(prefix, StringComparison.Ordinal) && at > prefix.Length && JobRange.TryParse(line[prefix.Length..at], out JobRange range))
                    {
                        string file = _directory.Combine($"{job.Id}-{range.Label}.jsonl");
                        int count = File.Exists(file) ? File.ReadLines(file).Count() : 0;
                        if (count is > 0 and < 80 && !worker.Log.Contains($"{prefix}{range}: completed", StringComparison.Ordinal))
                        {
                            return (worker, range);
                        }
                    }
                }
            }

            Assert.False(timeout.IsCancellationRequested, $"No range was seen part-written: {string.Join(", ", Directory.GetFiles(_directory.Path).Select(f => $"{Path.GetFileName(f)} {File.ReadLines(f).Count()}"))}\n{AllLogs()}");
            await Task.Delay(10, CancellationToken.None);
        }
    }

    private Task WaitUntilAsync(Func<Task<bool>> condition, string what) => WorkerProcess.WaitUntilAsync(condition, what, _workers, s_deadline);

    private string AllLogs() => WorkerProcess.AllLogs(_workers);
}
