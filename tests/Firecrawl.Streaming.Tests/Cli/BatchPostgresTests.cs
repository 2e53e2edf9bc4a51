using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Npgsql;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary><c>fcstream batch --to postgres:TABLE</c> and <c>fcstream search --postgres</c> against a real server.</summary>
public sealed class BatchPostgresTests(PostgresDatabase database) : FakeServerTestBase, IClassFixture<PostgresDatabase>
{
    private readonly string _table = "cli_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The connection as the standard PG* variables, with the fake API's key.</summary>
    private Dictionary<string, string?> Environment()
    {
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        return new Dictionary<string, string?>
        {
            ["FIRECRAWL_API_KEY"] = Server.ApiKey,
            ["PGHOST"] = builder.Host,
            ["PGPORT"] = builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PGUSER"] = builder.Username,
            ["PGPASSWORD"] = builder.Password,
            ["PGDATABASE"] = builder.Database,
        };
    }

    [Fact]
    public async Task Batch_PostgresSinkFromPgVariablesWithPostgresCheckpoint_StoresEveryPageAndTheCheckpointThenSearches()
    {
        FakeJob job = Server.AddJob(Pages(40), new FakeJobOptions { PageLimit = 9 });

        CliResult result = await CliRun.RunAsync(
            ["batch", job.Id, "--to", $"postgres:{_table}", "--checkpoint", "postgres", "--api-url", Server.BaseAddress.ToString()], Environment(), Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains($"summary sink=postgres:{_table} pages=40", result.Stderr, StringComparison.Ordinal);
        await using NpgsqlDataSource source = database.CreateDataSource();
        Assert.Equal(40L, await source.CreateCommand($"SELECT count(DISTINCT scrape_id) FROM {_table}").ExecuteScalarAsync(Ct));
        string checkpoint = (string)(await source.CreateCommand(
            $"SELECT checkpoint FROM firecrawl_checkpoints WHERE job_id = '{job.Id}' AND sinks = 'postgres:{_table}'").ExecuteScalarAsync(Ct))!;
        Assert.Equal(39, Firecrawl.Streaming.Checkpoints.PipelineCheckpoint.Parse(checkpoint).ResumeAfterPosition);

        CliResult search = await CliRun.RunAsync(["search", "--postgres", _table, "\"page 17\""], Environment(), Ct);

        Assert.True(search.ExitCode == 0, search.Stderr);
        Assert.Contains(" 1. Page 17  (score ", search.Stdout, StringComparison.Ordinal);
        Assert.Contains("https://example.com/page/17", search.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_PostgresWrongPassword_FailsInOneSentenceWithoutThePassword()
    {
        const string Password = "wrong-pass-9c2e";
        FakeJob job = Server.AddJob(Pages(5));
        Dictionary<string, string?> environment = Environment();
        environment["PGPASSWORD"] = Password;

        CliResult result = await CliRun.RunAsync(
            ["batch", job.Id, "--to", $"postgres:{_table}", "--api-url", Server.BaseAddress.ToString()], environment, Ct);

        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain(Password, result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.Contains("postgres:" + _table, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_CheckpointPostgresWithoutAPostgresSink_IsAUsageError()
    {
        FakeJob job = Server.AddJob(Pages(3));

        CliResult result = await CliRun.RunAsync(
            ["batch", job.Id, "--to", "jsonl:-", "--checkpoint", "postgres", "--api-url", Server.BaseAddress.ToString()], Environment(), Ct);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--checkpoint postgres keeps the checkpoint in the database of a postgres: sink", result.Stderr, StringComparison.Ordinal);
    }
}
