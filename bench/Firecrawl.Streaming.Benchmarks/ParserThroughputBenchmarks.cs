using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Parameters;
using Firecrawl.Streaming.Benchmarks.Infrastructure;

namespace Firecrawl.Streaming.Benchmarks;

/// <summary>
/// Benchmark 1: parsing one in-memory chunk. The streaming parser, fed through a <see cref="System.IO.Pipelines.PipeReader"/>
/// over a <see cref="MemoryStream"/> in 64 KB reads (the client's default read buffer), against <see cref="JsonSerializer"/>
/// deserializing the same bytes into DTOs (the baseline: what a typical client does) and a bare <see cref="Utf8JsonReader"/>
/// token scan over the same reads (the ceiling). Two more rows give the whole body in a single read
/// (<c>PipeReader.Create(ReadOnlySequence)</c>), where every page of the chunk is emitted by one parser call.
/// </summary>
[Config(typeof(ParserConfig))]
[MemoryDiagnoser]
public class ParserThroughputBenchmarks
{
    private const int ReadSize = 64 * 1024;
    private byte[] _body = [];

    [Params(ChunkKind.Pages10MB, ChunkKind.SinglePage30MB)]
    public ChunkKind Chunk { get; set; }

    public static long InputBytes(ParameterInstances parameters, string method) => Corpus.Get((ChunkKind)parameters["Chunk"]).Length;

    [GlobalSetup]
    public void Setup()
    {
        _body = Corpus.Get(Chunk);

        // The first deserialization builds the serializer's metadata cache; a client pays that once, not per chunk.
        _ = JsonSerializer.Deserialize<BatchStatusDto>(_body, DtoJson.Options);
        _ = JsonSerializer.Deserialize<StrictBatchStatusDto>(_body, DtoJson.Options);
    }

    /// <summary>A typical client: the whole chunk into DTOs with open-ended metadata.</summary>
    [Benchmark(Baseline = true, Description = "JsonSerializer DTO (typical)")]
    public BatchStatusDto? JsonSerializerDto() => JsonSerializer.Deserialize<BatchStatusDto>(_body, DtoJson.Options);

    /// <summary>A careful client: typed fields only, unknown keys dropped.</summary>
    [Benchmark(Description = "JsonSerializer DTO (typed only)")]
    public StrictBatchStatusDto? JsonSerializerStrictDto() => JsonSerializer.Deserialize<StrictBatchStatusDto>(_body, DtoJson.Options);

    [Benchmark(Description = "Streaming, all typed fields")]
    public Task<long> StreamingAllFields() => ChunkReading.ParseAsync(ChunkReading.Segmented(_body, ReadSize), PageUse.AllTypedFields);

    /// <summary>Parse only, own buffers: what a page costs before any field is read (fields decode on first read).</summary>
    [Benchmark(Description = "Streaming, parse only")]
    public Task<long> StreamingParseOnly() => ChunkReading.ParseAsync(ChunkReading.Segmented(_body, ReadSize), PageUse.ParseOnly);

    /// <summary>Every typed field, the text fields as UTF-8 (<see cref="ScrapedPage.TryWriteUtf8"/>), own buffers.</summary>
    [Benchmark(Description = "Streaming, all fields, text as UTF-8")]
    public Task<long> StreamingAllFieldsTextAsUtf8() => ChunkReading.ParseAsync(ChunkReading.Segmented(_body, ReadSize), PageUse.AllFieldsTextAsUtf8);

    [Benchmark(Description = "Streaming, all typed fields, pooled")]
    public Task<long> StreamingAllFieldsPooled() => ChunkReading.ParseAsync(ChunkReading.Segmented(_body, ReadSize), PageUse.AllTypedFieldsPooled);

    [Benchmark(Description = "Streaming, markdown+metadata")]
    public Task<long> StreamingMarkdownMetadata() => ChunkReading.ParseAsync(ChunkReading.Segmented(_body, ReadSize), PageUse.MarkdownAndMetadata);

    [Benchmark(Description = "Streaming, raw UTF-8, pooled")]
    public Task<long> StreamingRawUtf8() => ChunkReading.ParseAsync(ChunkReading.Segmented(_body, ReadSize), PageUse.RawUtf8);

    [Benchmark(Description = "Utf8JsonReader token scan")]
    public Task<long> TokenScan() => ChunkReading.ScanAsync(ChunkReading.Segmented(_body, ReadSize));

    /// <summary>What validating every page's UTF-8 costs at most: one vectorised pass over the whole body.</summary>
    [Benchmark(Description = "UTF-8 validation of the body")]
    public bool Utf8Validation() => System.Text.Unicode.Utf8.IsValid(_body);

    [Benchmark(Description = "Streaming, raw UTF-8, pooled, one read")]
    public Task<long> StreamingRawUtf8WholeBody() => ChunkReading.ParseAsync(ChunkReading.Whole(_body), PageUse.RawUtf8);

    [Benchmark(Description = "Utf8JsonReader token scan, one read")]
    public Task<long> TokenScanWholeBody() => ChunkReading.ScanAsync(ChunkReading.Whole(_body));
}
