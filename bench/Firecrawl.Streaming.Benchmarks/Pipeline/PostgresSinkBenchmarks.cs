using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Parameters;
using Firecrawl.Streaming.Benchmarks.Infrastructure;
using Firecrawl.Streaming.Sinks.PostgreSql;
using Firecrawl.Streaming.Tests.Infrastructure;
using Npgsql;

namespace Firecrawl.Streaming.Benchmarks.Pipeline;

/// <summary>
/// Benchmark 4, PostgreSQL: the 200 MB loopback job into a null sink (baseline), into <c>JsonLinesSink</c>, and into
/// <see cref="PostgresPageSink"/> (binary COPY + upsert per batch of 100, with the checkpoint in each batch's
/// transaction) on a throwaway local server that the benchmark process starts itself (initdb + pg_ctl, as the tests do).
/// </summary>
/// <remarks>Each PostgreSQL operation writes a fresh table, dropped after it, so every page is an insert, not an update.</remarks>
[Config(typeof(LoopbackConfig))]
[MemoryDiagnoser]
public class PostgresSinkBenchmarks
{
    private PipelineFixture _fixture = null!;
    private PostgresServer _server = null!;
    private NpgsqlDataSource _dataSource = null!;
    private string _method = "";
    private int _run;

    public static long InputBytes(ParameterInstances parameters, string method) => PipelineFixture.JobBytes;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = new PipelineFixture();
        _server = PostgresServer.StartNewAsync(Console.WriteLine).GetAwaiter().GetResult();
        _dataSource = NpgsqlDataSource.Create(_server.ConnectionString);
        PeakMemory.Reset();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        PeakMemory.Save(nameof(PostgresSinkBenchmarks), _method);
        _dataSource.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _fixture.Dispose();
    }

    [IterationCleanup]
    public void DropTables()
    {
        using NpgsqlCommand drop = _dataSource.CreateCommand("DROP TABLE IF EXISTS bench_pages, bench_checkpoints");
        drop.ExecuteNonQuery();
    }

    [Benchmark(Baseline = true, Description = "Null sink")]
    public Task<long> NullSink()
    {
        _method = nameof(NullSink);
        return _fixture.RunAsync(new NullPageSink(), channelCapacity: 256, parallelism: 1, batchSize: 100);
    }

    [Benchmark(Description = "JSON Lines")]
    public Task<long> JsonLines()
    {
        _method = nameof(JsonLines);
        return _fixture.RunAsync(_fixture.NewJsonLinesSink(), channelCapacity: 256, parallelism: 1, batchSize: 100);
    }

    [Benchmark(Description = "PostgreSQL")]
    public Task<long> Postgres()
    {
        _method = nameof(Postgres);
        _run++;
        var options = new PostgresPageSinkOptions { TableName = "bench_pages", CheckpointTableName = "bench_checkpoints" };
        return _fixture.RunAsync(new PostgresPageSink(_dataSource, options), channelCapacity: 256, parallelism: 1, batchSize: 100);
    }
}
