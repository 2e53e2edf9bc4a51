using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Parameters;
using Firecrawl.Streaming.Benchmarks.Infrastructure;
using Firecrawl.Streaming.Sinks.Lucene;

namespace Firecrawl.Streaming.Benchmarks.Pipeline;

/// <summary>
/// Benchmark 4, Lucene: the 200 MB loopback job into a null sink (baseline) and into <see cref="LuceneIndexSink"/>
/// (a fresh on-disk index per operation, committed at every checkpoint), with one and two parallel writers
/// (the Lucene writer accepts concurrent writes). Kept apart from <see cref="PipelineBenchmarks"/> because one
/// operation takes tens of seconds.
/// </summary>
/// <remarks>
/// The job's pages repeat 1,000 URLs (they are copies of 1,000 templates with their own scrape ids), and the sink
/// upserts by URL, so the index ends with 1,000 documents; every page is still analyzed and written.
/// </remarks>
[Config(typeof(LoopbackConfig))]
[MemoryDiagnoser]
public class LuceneSinkBenchmarks
{
    private PipelineFixture _fixture = null!;
    private string _method = "";
    private int _run;

    [Params(1, 2)]
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
        PeakMemory.Save(nameof(LuceneSinkBenchmarks), _method, (nameof(Parallelism), Parallelism));
        _fixture.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Null sink")]
    public Task<long> NullSink()
    {
        _method = nameof(NullSink);
        return _fixture.RunAsync(new NullPageSink(), channelCapacity: 256, Parallelism, batchSize: 100);
    }

    [Benchmark(Description = "Lucene index")]
    public Task<long> Lucene()
    {
        _method = nameof(Lucene);
        return _fixture.RunAsync(new LuceneIndexSink(_fixture.NewDirectory($"lucene-{_run++}")), channelCapacity: 256, Parallelism, batchSize: 100);
    }
}
