using System.Diagnostics;
using System.Globalization;
using System.Text;
using Firecrawl.Streaming.Sinks.PostgreSql;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;
using Npgsql;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary>
/// Workers as real processes (the built tool run with <c>dotnet</c>) against a real broker and a real database: jobs
/// survive a worker killed with SIGKILL mid-job and a broker restart, and every page lands in every sink exactly once.
/// </summary>
[Collection(RabbitMqGroup.Name)]
public sealed class WorkerProcessTests(RabbitMqFixture broker, PostgresDatabase database) : FakeServerTestBase, IClassFixture<PostgresDatabase>, IDisposable
{
    private const int Jobs = 10;
    private const int PagesPerJob = 300;
    private static readonly TimeSpan s_deadline = TimeSpan.FromMinutes(3);
    private readonly TempDirectory _directory = new();
    private readonly string _queue = $"jobs-{Guid.NewGuid():N}";
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
    public async Task Workers_OneKilledMidJobAndTheBrokerRestarted_EveryPageOnceInEverySinkAndNothingUnacknowledged()
    {
        FakeJob[] jobs = [.. Enumerable.Range(0, Jobs).Select(j => Server.AddJob(
            Enumerable.Range(0, PagesPerJob).Select(i => TestPages.Json(j * 10_000 + i)),
            new FakeJobOptions { PageLimit = 10, Latency = TimeSpan.FromMilliseconds(25) }))];
        for (int i = 0; i < 3; i++)
        {
            _workers.Add(StartWorker(i));
        }

        // Every job once, and the first one a second time: a duplicate enqueue is harmless.
        CliResult enqueued = await CliRun.RunAsync(
            ["enqueue", .. jobs.Select(j => j.Id), jobs[0].Id, "--amqp", broker.AmqpUri.ToString(), "--queue", _queue], cancellationToken: Ct);
        Assert.True(enqueued.ExitCode == 0, enqueued.Stderr);

        // SIGKILL the first worker once it has written part of a job; then restart the broker under the other two.
        (WorkerProcess victim, string victimJob) = await WaitForPartialJobAsync();
        victim.Process.Kill();
        await victim.Process.WaitForExitAsync(Ct);
        await broker.RestartAsync();

        await using NpgsqlDataSource dataSource = database.CreateDataSource();
        var store = new PostgresJobStore(dataSource);
        await WaitUntilAsync(async () => (await store.ListAsync(Ct)).Count(r => r.State == PostgresJobState.Completed) == Jobs, "every job completed");
        await WaitUntilAsync(async () => await QueueStateAsync() == (0, 0), "the queue empty with nothing unacknowledged");

        // Graceful stop of the survivors: SIGTERM, exit 0.
        foreach (WorkerProcess worker in _workers.Skip(1))
        {
            worker.Signal("TERM");
        }

        foreach (WorkerProcess worker in _workers.Skip(1))
        {
            await worker.Process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
            Assert.True(worker.Process.ExitCode == 0, $"worker exit {worker.Process.ExitCode}: {worker.Log}");
        }

        IReadOnlyList<PostgresJobRecord> records = await store.ListAsync(Ct);
        Assert.All(records, r => Assert.Equal((PostgresJobState.Completed, (long?)PagesPerJob, (long?)PagesPerJob, (long?)0), (r.State, r.Delivered, r.Expected, r.Unaccounted)));
        Assert.True(records.Single(r => r.JobId == victimJob).Attempts >= 2, "the killed worker's job was not taken over: " + AllLogs());
        Assert.Contains(_workers.Skip(1), w => w.Log.Contains($"batch:{victimJob}:default: streaming (attempt ", StringComparison.Ordinal));

        TestContext.Current.TestOutputHelper?.WriteLine(AllLogs());
        Dictionary<string, List<string>> stored = await PostgresKeysAsync(dataSource);
        foreach (FakeJob job in jobs)
        {
            int j = Array.IndexOf(jobs, job);
            string[] expected = [.. Enumerable.Range(0, PagesPerJob).Select(i => TestPages.ScrapeId(j * 10_000 + i)).Order(StringComparer.Ordinal)];
            string[] lines = [.. File.ReadAllLines(_directory.Combine($"{job.Id}.jsonl")).Where(l => l.Length > 0)];
            Assert.Equal(expected, lines.Select(l => PageParser.Parse(Encoding.UTF8.GetBytes(l)).Key).Order(StringComparer.Ordinal));
            Assert.Equal(expected, stored[job.Id].Order(StringComparer.Ordinal));
        }
    }

    private WorkerProcess StartWorker(int index) => WorkerProcess.Start(index, [
        "worker", "--amqp", broker.AmqpUri.ToString(), "--queue", _queue, "--state-db", database.ConnectionString,
        "--to", "jsonl:" + _directory.Combine("{job}.jsonl"), "--to", "postgres:pages", "--pg-connection", database.ConnectionString,
        "--api-url", Server.BaseAddress.ToString(), "--chunk-limit", "10", "--poll-interval", "20ms", "--checkpoint-every", "20", "--lease", "3s", "--concurrency", "2"],
        Server.ApiKey);

    /// <summary>Waits until the first worker streams a job whose JSON Lines file holds some pages but not all.</summary>
    private async Task<(WorkerProcess, string)> WaitForPartialJobAsync()
    {
        WorkerProcess first = _workers[0];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            foreach (string line in first.Lines)
            {
                const string Marker = ":default: streaming";
                int at = line.IndexOf(Marker, StringComparison.Ordinal);
                if (line.StartsWith("batch:", StringComparison.Ordinal) && at > 0)
                {
                    string job = line["batch:".Length..at];
                    string file = _directory.Combine($"{job}.jsonl");
                    int count = File.Exists(file) ? File.ReadLines(file).Count() : 0;
                    if (count is > 20 and < PagesPerJob - 50)
                    {
                        return (first, job);
                    }
                }
            }

            Assert.False(first.Process.HasExited, "The first worker exited: " + first.Log);
            await Task.Delay(20, timeout.Token);
        }
    }

    private Task<(int Ready, int Unacknowledged)> QueueStateAsync() => WorkerProcess.QueueStateAsync(broker, _queue);

    private static async Task<Dictionary<string, List<string>>> PostgresKeysAsync(NpgsqlDataSource dataSource)
    {
        var keys = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await using NpgsqlCommand command = dataSource.CreateCommand("SELECT job_id, scrape_id FROM pages");
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            string job = reader.GetString(0);
            if (!keys.TryGetValue(job, out List<string>? list))
            {
                keys[job] = list = [];
            }

            list.Add(reader.GetString(1));
        }

        return keys;
    }

    private Task WaitUntilAsync(Func<Task<bool>> condition, string what) => WorkerProcess.WaitUntilAsync(condition, what, _workers, s_deadline);

    private string AllLogs() => WorkerProcess.AllLogs(_workers);
}
