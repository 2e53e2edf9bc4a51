using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Firecrawl.Streaming.RabbitMq;
using Firecrawl.Streaming.Sinks.PostgreSql;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Npgsql;

namespace Firecrawl.Streaming.Benchmarks.Scaling;

/// <summary>
/// Benchmark 5, scaling out: draining a queue of <see cref="Jobs"/> batch-scrape jobs (each <see cref="PagesPerJob"/>
/// small pages over <see cref="PagesPerJob"/>/<see cref="PageLimit"/> status requests, with <see cref="Latency"/> of
/// server latency per request) with 1 (baseline), 2 and 4 <c>fcstream worker</c> processes, each streaming one job at
/// a time into a JSON Lines file per job, with leases and checkpoints in PostgreSQL. The broker (a private RabbitMQ
/// node), the database (a throwaway PostgreSQL server) and the fake Firecrawl server run on the same machine.
/// </summary>
/// <remarks>One operation = enqueue the jobs, wait until the shared state records every one completed. Jobs/s and
/// pages/s follow from the mean: <see cref="Jobs"/> (or <see cref="Jobs"/> × <see cref="PagesPerJob"/>) ÷ mean.
/// The "big job" group drains one job of <see cref="BigJobPages"/> pages: one worker streams it whole (baseline), four
/// split it into ranges of <see cref="SplitPages"/> and stream them at once, then reconcile.</remarks>
[Config(typeof(ScalingConfig))]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class WorkerScalingBenchmarks
{
    public const int BigJobPages = 2_000;
    public const int SplitPages = 250;

    public const int Jobs = 8;
    public const int PagesPerJob = 200;
    public const int PageLimit = 20;
    public static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(100);

    private readonly List<Process> _workers = [];
    private RabbitMqNode _broker = null!;
    private PostgresServer _database = null!;
    private NpgsqlDataSource _state = null!;
    private FakeFirecrawlServer _server = null!;
    private RabbitMqJobQueueClient _queue = null!;
    private string _directory = null!;
    private string _stateConnection = null!;
    private int _round;

    [GlobalSetup(Target = nameof(OneWorker))]
    public void SetupOne() => Setup(1);

    [GlobalSetup(Target = nameof(TwoWorkers))]
    public void SetupTwo() => Setup(2);

    [GlobalSetup(Target = nameof(FourWorkers))]
    public void SetupFour() => Setup(4);

    [GlobalSetup(Target = nameof(BigJobOneWorker))]
    public void SetupBigJobOne() => Setup(1);

    [GlobalSetup(Target = nameof(BigJobFourWorkersSplit))]
    public void SetupBigJobFour() => Setup(4, SplitPages);

    [Benchmark(Baseline = true, Description = "1 worker process")]
    [BenchmarkCategory("jobs")]
    public Task<int> OneWorker() => DrainAsync();

    [Benchmark(Description = "2 worker processes")]
    [BenchmarkCategory("jobs")]
    public Task<int> TwoWorkers() => DrainAsync();

    [Benchmark(Description = "4 worker processes")]
    [BenchmarkCategory("jobs")]
    public Task<int> FourWorkers() => DrainAsync();

    [Benchmark(Baseline = true, Description = "big job, 1 worker, whole")]
    [BenchmarkCategory("big job")]
    public Task<int> BigJobOneWorker() => DrainAsync(jobs: 1, pagesPerJob: BigJobPages);

    [Benchmark(Description = "big job, 4 workers, split")]
    [BenchmarkCategory("big job")]
    public Task<int> BigJobFourWorkersSplit() => DrainAsync(jobs: 1, pagesPerJob: BigJobPages);

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (Process worker in _workers)
        {
            using Process term = Process.Start("kill", ["-TERM", worker.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            term.WaitForExit();
        }

        foreach (Process worker in _workers)
        {
            if (!worker.WaitForExit(30_000))
            {
                worker.Kill(entireProcessTree: true);
            }

            worker.Dispose();
        }

        _queue.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _state.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _database.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _broker.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    private void Setup(int workers, int splitPages = 0)
    {
        _broker = new RabbitMqNode(Console.WriteLine);
        _broker.InitializeAsync().GetAwaiter().GetResult();
        _database = PostgresServer.StartNewAsync(Console.WriteLine).GetAwaiter().GetResult();
        _stateConnection = _database.CreateDatabaseAsync("scaling").GetAwaiter().GetResult();
        _state = NpgsqlDataSource.Create(_stateConnection);
        _server = FakeFirecrawlServer.StartAsync().GetAwaiter().GetResult();
        _queue = new RabbitMqJobQueueClient(_broker.AmqpUri);
        _directory = Directory.CreateTempSubdirectory("fcstream-scaling-").FullName;
        string tool = ToolPath();
        for (int i = 0; i < workers; i++)
        {
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string argument in (string[])[tool, "worker", "--amqp", _broker.AmqpUri.ToString(), "--state-db", _stateConnection,
                         "--to", "jsonl:" + Path.Combine(_directory, "{job}-{range}.jsonl"), "--api-url", _server.BaseAddress.ToString(),
                         "--poll-interval", "20ms", "--checkpoint-every", "100", "--chunk-limit", PageLimit.ToString(System.Globalization.CultureInfo.InvariantCulture), "--split-pages", splitPages.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["FIRECRAWL_API_KEY"] = _server.ApiKey;
            Process process = Process.Start(start)!;
            process.ErrorDataReceived += (_, _) => { };
            process.OutputDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            _workers.Add(process);
        }
    }

    private async Task<int> DrainAsync(int jobs = Jobs, int pagesPerJob = PagesPerJob)
    {
        int round = Interlocked.Increment(ref _round);
        FakeJob[] added = [.. Enumerable.Range(0, jobs).Select(j => _server.AddJob(
            Enumerable.Range(0, pagesPerJob).Select(i => PageJson(round, j, i)),
            new FakeJobOptions { PageLimit = PageLimit, Latency = Latency }))];
        await _queue.EnqueueAsync(added.Select(j => new JobMessage(JobKind.BatchScrape, j.Id)));
        var store = new PostgresJobStore(_state);
        var ids = added.Select(j => j.Id).ToHashSet(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        while ((await store.ListAsync()).Count(r => ids.Contains(r.JobId) && r.State == PostgresJobState.Completed) < jobs)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(5) || _workers.Any(w => w.HasExited))
            {
                throw new InvalidOperationException("The workers did not drain the queue.");
            }

            await Task.Delay(10);
        }

        return jobs;
    }

    private static byte[] PageJson(int round, int job, int page)
    {
        var id = new Guid(round, (short)job, (short)page, 1, 2, 3, 4, 5, 6, 7, 8);
        string url = $"https://example.com/{round}/{job}/{page}";
        return System.Text.Encoding.UTF8.GetBytes(
            "{\"markdown\":\"# Page " + page + "\\n\\nSome text.\",\"metadata\":{\"scrapeId\":\"" + id + "\",\"sourceURL\":\"" + url + "\",\"statusCode\":200}}");
    }

    /// <summary>The tool in its own build output (Release first), found above this process's directory.</summary>
    private static string ToolPath()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            foreach (string configuration in (string[])["Release", "Debug"])
            {
                string candidate = Path.Combine(directory.FullName, "src", "Firecrawl.Streaming.Cli", "bin", configuration, "net10.0", "fcstream.dll");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException($"fcstream.dll was not found above {AppContext.BaseDirectory}: build src/Firecrawl.Streaming.Cli first.");
    }
}

/// <summary>
/// In process (the work happens in the worker processes, so the host's toolchain does not matter, and no boilerplate
/// project is built), one cold run as warm-up, three measured drains.
/// </summary>
public sealed class ScalingConfig : ManualConfig
{
    public ScalingConfig() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithStrategy(RunStrategy.Monitoring)
        .WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3).WithId("Scaling"));
}
