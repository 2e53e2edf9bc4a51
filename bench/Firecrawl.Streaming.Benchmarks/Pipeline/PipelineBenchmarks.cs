using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Parameters;
using Firecrawl.Streaming.Benchmarks.Infrastructure;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Sinks;

namespace Firecrawl.Streaming.Benchmarks.Pipeline;

/// <summary>
/// Benchmark 4: the 200 MB loopback job through <see cref="JobClientPipelineExtensions.StreamBatchToSinksAsync"/>
/// into a null sink (the baseline: the rate the pipeline can feed a sink at) and into the JSON Lines sink writing a
/// file (flushed to disk at every checkpoint), sweeping each sink's channel capacity and write parallelism.
/// </summary>
[Config(typeof(LoopbackConfig))]
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private PipelineFixture _fixture = null!;
    private string _method = "";

    [Params(16, 256, 4096)]
    public int ChannelCapacity { get; set; }

    [Params(1, 4)]
    public int Parallelism { get; set; }

    public static long InputBytes(ParameterInstances parameters, string method) => PipelineFixture.JobBytes;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = new PipelineFixture();
        PeakMemory.Reset();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        PeakMemory.Save(nameof(PipelineBenchmarks), _method, (nameof(ChannelCapacity), ChannelCapacity), (nameof(Parallelism), Parallelism));
        _fixture.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Null sink")]
    public Task<long> NullSink()
    {
        _method = nameof(NullSink);
        return _fixture.RunAsync(new NullPageSink(), ChannelCapacity, Parallelism, batchSize: 100);
    }

    [Benchmark(Description = "JSON Lines file")]
    public Task<long> JsonLines()
    {
        _method = nameof(JsonLines);
        return _fixture.RunAsync(_fixture.NewJsonLinesSink(), ChannelCapacity, Parallelism, batchSize: 100);
    }
}

/// <summary>
/// The default settings alone (channel capacity 256, one writer, batches of 100): what the pipeline allocates per input
/// byte now that it pools page buffers and releases each page once its sinks have written it.
/// </summary>
[Config(typeof(LoopbackConfig))]
[MemoryDiagnoser]
public class PipelineDefaultsBenchmarks
{
    private PipelineFixture _fixture = null!;
    private string _method = "";

    public static long InputBytes(ParameterInstances parameters, string method) => PipelineFixture.JobBytes;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = new PipelineFixture();
        PeakMemory.Reset();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        PeakMemory.Save(nameof(PipelineDefaultsBenchmarks), _method);
        _fixture.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Null sink")]
    public Task<long> NullSink()
    {
        _method = nameof(NullSink);
        return _fixture.RunAsync(new NullPageSink(), channelCapacity: 256, parallelism: 1, batchSize: 100);
    }

    [Benchmark(Description = "JSON Lines file")]
    public Task<long> JsonLines()
    {
        _method = nameof(JsonLines);
        return _fixture.RunAsync(_fixture.NewJsonLinesSink(), channelCapacity: 256, parallelism: 1, batchSize: 100);
    }
}

/// <summary>The batch size knob, at the default channel capacity and parallelism.</summary>
[Config(typeof(LoopbackConfig))]
[MemoryDiagnoser]
public class PipelineBatchSizeBenchmarks
{
    private PipelineFixture _fixture = null!;
    private string _method = "";

    [Params(10, 100, 1000)]
    public int BatchSize { get; set; }

    public static long InputBytes(ParameterInstances parameters, string method) => PipelineFixture.JobBytes;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = new PipelineFixture();
        PeakMemory.Reset();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        PeakMemory.Save(nameof(PipelineBatchSizeBenchmarks), _method, (nameof(BatchSize), BatchSize));
        _fixture.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Null sink")]
    public Task<long> NullSink()
    {
        _method = nameof(NullSink);
        return _fixture.RunAsync(new NullPageSink(), channelCapacity: 256, parallelism: 1, BatchSize);
    }

    [Benchmark(Description = "JSON Lines file")]
    public Task<long> JsonLines()
    {
        _method = nameof(JsonLines);
        return _fixture.RunAsync(_fixture.NewJsonLinesSink(), channelCapacity: 256, parallelism: 1, BatchSize);
    }
}

/// <summary>The client, the job and a scratch file for the pipeline benchmarks.</summary>
public sealed class PipelineFixture : IDisposable
{
    public const int JobMegabytes = 200;

    private readonly FirecrawlJobClient _client = new(new FirecrawlJobClientOptions { BaseAddress = LoopbackServer.Address, ApiKey = LoopbackServer.ApiKey });
    private readonly string _directory = Directory.CreateTempSubdirectory("fcbench-pipeline-").FullName;

    public static long JobBytes => Corpus.JobBytes(Corpus.JobPageCount(JobMegabytes));

    /// <summary>A new, empty directory under the fixture's scratch folder.</summary>
    public string NewDirectory(string name)
    {
        string path = Path.Combine(_directory, name);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        return path;
    }

    public IPageSink NewJsonLinesSink() => new JsonLinesSink(Path.Combine(_directory, "pages.jsonl"), new JsonLinesSinkOptions { Overwrite = true });

    public async Task<long> RunAsync(IPageSink sink, int channelCapacity, int parallelism, int batchSize)
    {
        var options = new PipelineOptions
        {
            SinkDefaults = new SinkOptions { ChannelCapacity = channelCapacity, MaxDegreeOfParallelism = parallelism, BatchSize = batchSize },
        };
        PipelineResult result = await _client.StreamJobToSinksAsync(JobKind.BatchScrape, LoopbackServer.JobId(JobMegabytes, 0), [sink], options).ConfigureAwait(false);
        return result.PagesRead + result.Sinks[0].PagesWritten;
    }

    public void Dispose()
    {
        _client.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>A sink that only looks at each page's size: the pipeline's own cost, without a destination's.</summary>
public sealed class NullPageSink : IPageSink
{
    public long Bytes { get; private set; }

    public string Name => "null";

    public ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken = default)
    {
        long bytes = 0;
        for (int i = 0; i < pages.Count; i++)
        {
            bytes += pages[i].Utf8Length;
        }

        Bytes += bytes;
        return ValueTask.CompletedTask;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
