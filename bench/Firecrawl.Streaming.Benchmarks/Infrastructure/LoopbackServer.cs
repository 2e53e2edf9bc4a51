using System.Globalization;
using Firecrawl.Streaming.Testing;

namespace Firecrawl.Streaming.Benchmarks.Infrastructure;

/// <summary>
/// The Testing kit's <see cref="FakeFirecrawlServer"/> with the benchmark jobs. The BenchmarkDotNet host starts it
/// and passes its address and job ids to the benchmark processes through the environment (they inherit it).
/// Each job serves <see cref="Corpus.JobPage"/> pages: 1000 distinct templates, each copy with its own scrape id,
/// up to 1000 pages or 10 MiB per response like the real API.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    public const string AddressVariable = "FCBENCH_SERVER";
    public const string JobsVariable = "FCBENCH_JOBS";

    /// <summary>(job size in MB of page JSON, latency per request in ms) of every job the benchmarks read.</summary>
    public static readonly (int Megabytes, int LatencyMs)[] Jobs = [(200, 0), (200, 50), (100, 0), (500, 0)];

    /// <summary>
    /// (job size in MB, time to first byte in ms, bandwidth per connection in MB/s, 0: unlimited) of the jobs that
    /// behave like a remote server (<see cref="NetworkBenchmarks"/>): at the server's default page size of 100.
    /// </summary>
    public static readonly (int Megabytes, int LatencyMs, int MegabytesPerSecond)[] NetworkJobs = [(76, 300, 40), (76, 50, 0)];

    private readonly FakeFirecrawlServer _server;

    private LoopbackServer(FakeFirecrawlServer server) => _server = server;

    public static async Task<LoopbackServer> StartAsync()
    {
        FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync().ConfigureAwait(false);
        var ids = new List<string>();
        foreach ((int megabytes, int latency) in Jobs)
        {
            FakeJob job = server.AddJob(Corpus.JobPageCount(megabytes), Corpus.JobPage, new FakeJobOptions
            {
                PageLimit = 1000,
                Latency = TimeSpan.FromMilliseconds(latency),
            });
            ids.Add($"{Key(megabytes, latency)}={job.Id}");
        }

        foreach ((int megabytes, int latency, int bandwidth) in NetworkJobs)
        {
            FakeJob job = server.AddJob(Corpus.JobPageCount(megabytes), Corpus.JobPage, new FakeJobOptions
            {
                Latency = TimeSpan.FromMilliseconds(latency),
                BytesPerSecond = bandwidth == 0 ? null : bandwidth * 1_000_000L,
            });
            ids.Add($"{NetworkKey(megabytes, latency, bandwidth)}={job.Id}");
        }

        Environment.SetEnvironmentVariable(AddressVariable, server.BaseAddress.ToString());
        Environment.SetEnvironmentVariable(JobsVariable, string.Join(";", ids));
        Environment.SetEnvironmentVariable("FIRECRAWL_API_KEY", server.ApiKey);
        return new LoopbackServer(server);
    }

    public static Uri Address => new(Environment.GetEnvironmentVariable(AddressVariable)
        ?? throw new InvalidOperationException($"{AddressVariable} is not set: run the benchmarks through Program (dotnet run), which starts the fake server."));

    public static string ApiKey => new FakeServerOptions().ApiKey;

    public static string JobId(int megabytes, int latencyMs) => Find(Key(megabytes, latencyMs));

    public static string NetworkJobId(int megabytes, int latencyMs, int megabytesPerSecond) => Find(NetworkKey(megabytes, latencyMs, megabytesPerSecond));

    private static string Find(string name)
    {
        string key = name + "=";
        string all = Environment.GetEnvironmentVariable(JobsVariable) ?? "";
        return all.Split(';').FirstOrDefault(j => j.StartsWith(key, StringComparison.Ordinal))?[key.Length..]
            ?? throw new InvalidOperationException($"no benchmark job {key} on the fake server");
    }

    private static string NetworkKey(int megabytes, int latencyMs, int megabytesPerSecond) =>
        string.Create(CultureInfo.InvariantCulture, $"{megabytes}mb-{latencyMs}ms-{megabytesPerSecond}mbps");

    private static string Key(int megabytes, int latencyMs) => string.Create(CultureInfo.InvariantCulture, $"{megabytes}mb-{latencyMs}ms");

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
