using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Parameters;
using Firecrawl.Streaming.Benchmarks.Infrastructure;

namespace Firecrawl.Streaming.Benchmarks;

/// <summary>
/// Benchmark 2: the same parse with the body delivered as a socket delivers it, in reads of 4 KB, 64 KB
/// (the client's default read buffer) and 1 MB into pipe segments of that size (baseline: 1 MB). The bare
/// token scan over the same reads is shown for each size as the ceiling. The "Client" rows read the body as the
/// client does since it pumps each body into a pipe (<c>BodyPump</c>): a socket handing out 4 KB or 1 MB per read,
/// coalesced into 64 KB segments while the parser works.
/// </summary>
[Config(typeof(ParserConfig))]
[MemoryDiagnoser]
public class SegmentSizeBenchmarks
{
    private byte[] _body = [];

    [Params(ChunkKind.Pages10MB, ChunkKind.SinglePage30MB)]
    public ChunkKind Chunk { get; set; }

    [Params(PageUse.AllTypedFields, PageUse.RawUtf8)]
    public PageUse Use { get; set; }

    public static long InputBytes(ParameterInstances parameters, string method) => Corpus.Get((ChunkKind)parameters["Chunk"]).Length;

    [GlobalSetup]
    public void Setup() => _body = Corpus.Get(Chunk);

    [Benchmark(Baseline = true, Description = "Parse, 1 MB segments")]
    public Task<long> Segments1MB() => ChunkReading.ParseAsync(ChunkReading.Segmented(_body, 1024 * 1024), Use);

    [Benchmark(Description = "Parse, 64 KB segments")]
    public Task<long> Segments64KB() => ChunkReading.ParseAsync(ChunkReading.Segmented(_body, 64 * 1024), Use);

    [Benchmark(Description = "Parse, 4 KB segments")]
    public Task<long> Segments4KB() => ChunkReading.ParseAsync(ChunkReading.Segmented(_body, 4 * 1024), Use);

    [Benchmark(Description = "Client: 1 MB socket reads, pumped")]
    public Task<long> Pumped1MB() => ChunkReading.ParseAsync(ChunkReading.Pumped(_body, 1024 * 1024), Use);

    [Benchmark(Description = "Client: 4 KB socket reads, pumped")]
    public Task<long> Pumped4KB() => ChunkReading.ParseAsync(ChunkReading.Pumped(_body, 4 * 1024), Use);

    [Benchmark(Description = "Scan, 1 MB segments")]
    public Task<long> Scan1MB() => ChunkReading.ScanAsync(ChunkReading.Segmented(_body, 1024 * 1024));

    [Benchmark(Description = "Scan, 4 KB segments")]
    public Task<long> Scan4KB() => ChunkReading.ScanAsync(ChunkReading.Segmented(_body, 4 * 1024));
}
