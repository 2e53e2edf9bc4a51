using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Parameters;
using Firecrawl.Streaming.Benchmarks.Infrastructure;

namespace Firecrawl.Streaming.Benchmarks;

/// <summary>
/// Benchmark 5: a 76 MB job (about 6,000 pages) read from a fake server that behaves like a remote one — a time to
/// first byte on every response and a bandwidth limit per connection — by the streaming client one chunk at a time at
/// the server's default page size (the baseline), one chunk at a time with big chunks (<c>limit=1000</c>), and with
/// 2 (the default), 4 and 8 chunks fetched ahead in parallel. Every typed field of every page is read.
/// </summary>
[Config(typeof(LoopbackConfig))]
[MemoryDiagnoser]
public class NetworkBenchmarks
{
    private const int JobMegabytes = 76;
    private FirecrawlJobClient? _client;
    private string _method = "";

    /// <summary>Time to first byte (ms) and bandwidth per connection (MB/s, 0: unlimited).</summary>
    [Params("300ms-40MBps", "50ms-unlimited")]
    public string Link { get; set; } = "300ms-40MBps";

    public static long InputBytes(ParameterInstances parameters, string method) => Corpus.JobBytes(Corpus.JobPageCount(JobMegabytes));

    private (int LatencyMs, int MegabytesPerSecond) LinkValues => Link == "300ms-40MBps" ? (300, 40) : (50, 0);

    [GlobalSetup]
    public void Setup() => PeakMemory.Reset();

    [GlobalCleanup]
    public void Cleanup()
    {
        PeakMemory.Save(nameof(NetworkBenchmarks), _method, (nameof(Link), Link));
        _client?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Sequential, server's page size (100)")]
    public Task<long> SequentialDefaultPageSize() => RunAsync(nameof(SequentialDefaultPageSize), chunkLimit: null, concurrency: 1);

    [Benchmark(Description = "Sequential, big chunks (limit 1000)")]
    public Task<long> SequentialBigChunks() => RunAsync(nameof(SequentialBigChunks), chunkLimit: 1000, concurrency: 1);

    [Benchmark(Description = "Parallel 2 (default)")]
    public Task<long> Parallel2() => RunAsync(nameof(Parallel2), chunkLimit: 1000, concurrency: 2);

    [Benchmark(Description = "Parallel 4")]
    public Task<long> Parallel4() => RunAsync(nameof(Parallel4), chunkLimit: 1000, concurrency: 4);

    [Benchmark(Description = "Parallel 8")]
    public Task<long> Parallel8() => RunAsync(nameof(Parallel8), chunkLimit: 1000, concurrency: 8);

    private async Task<long> RunAsync(string method, int? chunkLimit, int concurrency)
    {
        _method = method;
        _client ??= new FirecrawlJobClient(new FirecrawlJobClientOptions
        {
            BaseAddress = LoopbackServer.Address,
            ApiKey = LoopbackServer.ApiKey,
            ChunkLimit = chunkLimit,
            MaxConcurrency = concurrency,
        });
        (int latency, int bandwidth) = LinkValues;
        long sum = 0;
        await foreach (ScrapedPage page in _client.StreamBatchScrapeAsync(LoopbackServer.NetworkJobId(JobMegabytes, latency, bandwidth)).ConfigureAwait(false))
        {
            sum += ChunkReading.ReadAllTyped(page);
        }

        return sum;
    }
}
