using System.Net.Http.Headers;
using System.Net.Http.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Parameters;
using Firecrawl.Streaming.Benchmarks.Infrastructure;

namespace Firecrawl.Streaming.Benchmarks;

/// <summary>
/// Benchmark 3: a 200 MB job read over loopback from the fake server, by the streaming client and by a naive
/// client (one <c>GetFromJsonAsync</c> per chunk, following <c>next</c>, keeping every page as the official
/// SDKs do), with 0 and 50 ms of server latency per request. Both read every typed field of every page.
/// </summary>
[Config(typeof(LoopbackConfig))]
[MemoryDiagnoser]
public class EndToEndBenchmarks
{
    private const int JobMegabytes = 200;
    private LoopbackClients _clients = null!;
    private string _method = "";

    [Params(0, 50)]
    public int LatencyMs { get; set; }

    public static long InputBytes(ParameterInstances parameters, string method) => Corpus.JobBytes(Corpus.JobPageCount(JobMegabytes));

    [GlobalSetup]
    public void Setup()
    {
        _clients = new LoopbackClients();
        PeakMemory.Reset();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        PeakMemory.Save(nameof(EndToEndBenchmarks), _method, (nameof(LatencyMs), LatencyMs));
        _clients.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Naive GetFromJsonAsync, keeps pages")]
    public Task<long> NaiveClient()
    {
        _method = nameof(NaiveClient);
        return _clients.NaiveAsync(LoopbackServer.JobId(JobMegabytes, LatencyMs));
    }

    [Benchmark(Description = "Streaming client")]
    public Task<long> StreamingClient()
    {
        _method = nameof(StreamingClient);
        return _clients.StreamingAsync(LoopbackServer.JobId(JobMegabytes, LatencyMs));
    }
}

/// <summary>
/// The streaming client's peak working set for a 100 MB and a 500 MB job (0 ms latency): it should not grow
/// with the job.
/// </summary>
[Config(typeof(LoopbackConfig))]
[MemoryDiagnoser]
public class JobSizeMemoryBenchmarks
{
    private LoopbackClients _clients = null!;
    private string _method = "";

    public static long InputBytes(ParameterInstances parameters, string method) =>
        Corpus.JobBytes(Corpus.JobPageCount(method == nameof(Streaming500MB) ? 500 : 100));

    [GlobalSetup]
    public void Setup()
    {
        _clients = new LoopbackClients();
        PeakMemory.Reset();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        PeakMemory.Save(nameof(JobSizeMemoryBenchmarks), _method);
        _clients.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Streaming client, 100 MB job")]
    public Task<long> Streaming100MB()
    {
        _method = nameof(Streaming100MB);
        return _clients.StreamingAsync(LoopbackServer.JobId(100, 0));
    }

    [Benchmark(Description = "Streaming client, 500 MB job")]
    public Task<long> Streaming500MB()
    {
        _method = nameof(Streaming500MB);
        return _clients.StreamingAsync(LoopbackServer.JobId(500, 0));
    }
}

/// <summary>The two clients of the loopback benchmarks.</summary>
public sealed class LoopbackClients : IDisposable
{
    private readonly HttpClient _http;
    private readonly FirecrawlJobClient _client;

    public LoopbackClients()
    {
        _http = new HttpClient(new SocketsHttpHandler()) { Timeout = TimeSpan.FromMinutes(5) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", LoopbackServer.ApiKey);
        _client = new FirecrawlJobClient(new FirecrawlJobClientOptions { BaseAddress = LoopbackServer.Address, ApiKey = LoopbackServer.ApiKey });
    }

    /// <summary>What the official SDKs do: each chunk deserialized whole, every page kept until the job is read.</summary>
    public async Task<long> NaiveAsync(string jobId)
    {
        var pages = new List<DocumentDto>();
        string? url = new Uri(LoopbackServer.Address, $"v2/batch/scrape/{jobId}").ToString();
        while (url is not null)
        {
            BatchStatusDto chunk = await _http.GetFromJsonAsync<BatchStatusDto>(url, DtoJson.Options).ConfigureAwait(false)
                ?? throw new InvalidOperationException("empty response");
            pages.AddRange(chunk.Data ?? []);
            url = chunk.Next;
        }

        long sum = 0;
        foreach (DocumentDto page in pages)
        {
            sum += page.Markdown?.Length ?? 0;
        }

        return sum + pages.Count;
    }

    /// <summary>The library: pages as they arrive, every typed field read, then dropped.</summary>
    public async Task<long> StreamingAsync(string jobId)
    {
        long sum = 0;
        await foreach (ScrapedPage page in _client.StreamBatchScrapeAsync(jobId).ConfigureAwait(false))
        {
            sum += ChunkReading.ReadAllTyped(page);
        }

        return sum;
    }

    public void Dispose()
    {
        _http.Dispose();
        _client.Dispose();
    }
}
