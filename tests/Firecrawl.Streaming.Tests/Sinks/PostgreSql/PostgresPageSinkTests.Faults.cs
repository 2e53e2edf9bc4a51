using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Sinks.PostgreSql;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Npgsql;

namespace Firecrawl.Streaming.Tests.Sinks.PostgreSql;

/// <summary>Transactional checkpoints, a server restart mid-run, and what messages carry.</summary>
public sealed partial class PostgresPageSinkTests
{
    private const int RunPages = 120;

    [Fact]
    public async Task Pipeline_KilledMidBatchRepeatedly_RowsAndCheckpointAgreeAfterEveryKill()
    {
        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);
        FakeJob job = server.AddJob(Enumerable.Range(0, RunPages).Select(i => TestPages.Json(i)), new FakeJobOptions { PageLimit = 25 });
        using var client = new FirecrawlJobClient(server.CreateClientOptions());
        var random = new Random(11);
        int killed = 0;
        for (int run = 0; run < 30; run++)
        {
            int killAfter = random.Next(5, 40);
            var sink = new PostgresPageSink(_dataSource, Options);
            var options = new PipelineOptions
            {
                Checkpoint = sink.CheckpointStore,
                CheckpointInterval = random.Next(10, 60),
                SinkDefaults = { BatchSize = random.Next(3, 15), MaxRetries = 0, MaxBatchDelay = TimeSpan.FromMilliseconds(2) },
            };
            var dying = new DyingSink(sink, killAfter);
            try
            {
                await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [dying], options, Ct);
                break;
            }
            catch (InvalidOperationException) when (dying.Died)
            {
                killed++;
            }

            // After every crash: the checkpoint names exactly the last page the table holds, and the table holds every
            // page up to it: a resume neither skips nor repeats a page, without leaning on the upsert.
            PipelineCheckpoint? checkpoint = await sink.CheckpointStore!.LoadCheckpointAsync(Ct);
            long rows = await ScalarAsync<long>($"SELECT count(*) FROM {_table}");
            long last = await ScalarAsync<long>($"SELECT coalesce(max(position), -1) FROM {_table}");
            Assert.Equal(checkpoint?.ResumeAfterPosition ?? -1, last);
            Assert.Equal(last + 1, rows);
        }

        Assert.True(killed >= 3, $"Only {killed} runs were killed.");
        Assert.Equal(job.Pages.Select(p => PageParser.Parse(p).Key).Order(), (await ReadBackKeysAsync()).Order());
    }

    [Fact]
    public async Task Pipeline_ServerRestartsMidRun_BatchRetriedAndEveryPageStoredOnce()
    {
        await using PostgresServer postgres = await PostgresServer.StartNewAsync();
        string connectionString = await postgres.CreateDatabaseAsync("restart");
        await using NpgsqlDataSource dataSource = NpgsqlDataSource.Create(connectionString);
        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);
        FakeJob job = server.AddJob(Enumerable.Range(0, RunPages).Select(i => TestPages.Json(i)), new FakeJobOptions { PageLimit = 30 });
        using var client = new FirecrawlJobClient(server.CreateClientOptions());
        var sink = new PostgresPageSink(dataSource, new PostgresPageSinkOptions { CheckpointTableName = "firecrawl_checkpoints" });
        var restarting = new RestartingSink(sink, postgres, restartAtWrite: 3);
        var options = new PipelineOptions
        {
            Checkpoint = sink.CheckpointStore,
            SinkDefaults = { BatchSize = 10, MaxRetries = 12, RetryBaseDelay = TimeSpan.FromMilliseconds(250), MaxRetryDelay = TimeSpan.FromSeconds(2) },
        };

        PipelineResult result = await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [restarting], options, Ct);
        await restarting.Restarted;

        Assert.True(restarting.FailedWrites >= 1, "No write failed while the server was down.");
        Assert.True(result.Sinks[0].Retries >= 1, "The failed batch was not retried.");
        var keys = new List<string>();
        await using (NpgsqlDataReader reader = await dataSource.CreateCommand("SELECT scrape_id FROM firecrawl_pages").ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                keys.Add(reader.GetString(0));
            }
        }

        Assert.Equal(job.Pages.Select(p => PageParser.Parse(p).Key).Order(), keys.Order());
        PipelineCheckpoint? checkpoint = await sink.CheckpointStore!.LoadCheckpointAsync(Ct);
        Assert.Equal(RunPages - 1, checkpoint!.ResumeAfterPosition);
    }

    [Fact]
    public async Task CheckpointStore_EarlierCheckpointAfterALaterOne_KeepsTheLaterOne()
    {
        var store = new PostgresCheckpointStore(_dataSource, ["jsonl:a.jsonl", "md:out"], tableName: _checkpoints);
        List<ScrapedPage> pages = TestPages.Create(10);
        string later = new PipelineCheckpoint(JobKind.BatchScrape, "job-1", pages[8].ResumeToken, store.SinkNames).Format();
        string earlier = new PipelineCheckpoint(JobKind.BatchScrape, "job-1", pages[3].ResumeToken, store.SinkNames).Format();

        Assert.Null(await store.LoadAsync(Ct));
        await store.SaveJobStartAsync(JobKind.BatchScrape, "job-1", store.SinkNames, Ct);
        Assert.Equal(("job-1", (string?)null), await LoadJobAndTokenAsync(store));
        await store.SaveAsync(later, Ct);
        await store.SaveAsync(earlier, Ct);
        Assert.Equal(later, await store.LoadAsync(Ct));

        // Another sink set, and another job, have rows of their own in the same table.
        var other = new PostgresCheckpointStore(_dataSource, ["lucene:idx"], jobId: "job-1", tableName: _checkpoints);
        Assert.Null(await other.LoadAsync(Ct));
        var otherJob = new PostgresCheckpointStore(_dataSource, ["md:out", "jsonl:a.jsonl"], jobId: "job-2", tableName: _checkpoints);
        Assert.Null(await otherJob.LoadAsync(Ct));
        Assert.Equal(1L, await ScalarAsync<long>($"SELECT count(*) FROM {_checkpoints}"));
    }

    [Fact]
    public async Task Connection_FromPgEnvironmentVariablesAlone_WritesPages()
    {
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var variables = new Dictionary<string, string>
        {
            ["PGHOST"] = builder.Host!, ["PGPORT"] = builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PGUSER"] = builder.Username!, ["PGPASSWORD"] = builder.Password!, ["PGDATABASE"] = builder.Database!,
        };

        // Npgsql alone refuses a connection string without a host, whatever PGHOST says: the sink resolves the PG* variables itself.
        string resolved = PostgresConnectionString.Resolve("", variables.GetValueOrDefault);
        await using (var sink = new PostgresPageSink(resolved, new PostgresPageSinkOptions { TableName = _table }))
        {
            await sink.WriteAsync(TestPages.Create(3), Ct);
        }

        Assert.Equal(3, (await ReadBackKeysAsync()).Count);

        // What the string gives wins over the variables.
        var explicitOnes = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Resolve("Host=db.internal;Port=6000;Database=mine", variables.GetValueOrDefault));
        Assert.Equal(("db.internal", 6000, "mine", builder.Username), (explicitOnes.Host, explicitOnes.Port, explicitOnes.Database, explicitOnes.Username));
    }

    [Fact]
    public async Task WriteAsync_WrongPassword_FailsWithoutTheCredentialsInTheMessageOrName()
    {
        const string Password = "not-the-password-5a1f";
        string connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = Password }.ConnectionString;
        await using var sink = new PostgresPageSink(connectionString, new PostgresPageSinkOptions { TableName = _table });

        var error = await Assert.ThrowsAnyAsync<NpgsqlException>(async () => await sink.WriteAsync(TestPages.Create(1), Ct));
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, sink.Name, StringComparison.Ordinal);
        Assert.Equal($"postgres:{_table}", sink.Name);
    }

    private static async Task<(string JobId, string? Token)> LoadJobAndTokenAsync(ICheckpointStore store)
    {
        PipelineCheckpoint checkpoint = (await store.LoadCheckpointAsync(Ct))!;
        return (checkpoint.JobId, checkpoint.ResumeAfter);
    }

    /// <summary>Writes part of the batch that reaches the kill point, then "dies" (throws), as a crashed process would.</summary>
    private sealed class DyingSink(IPageSink inner, int killAfter) : IPageSink
    {
        private int _seen;

        public bool Died { get; private set; }

        public string Name => inner.Name;

        public async ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken = default)
        {
            int before = _seen;
            _seen += pages.Count;
            if (_seen < killAfter)
            {
                await inner.WriteAsync(pages, cancellationToken);
                return;
            }

            int part = Math.Clamp(killAfter - before, 0, pages.Count);
            if (part > 0)
            {
                await inner.WriteAsync(pages.Take(part).ToList(), cancellationToken);
            }

            Died = true;
            throw new InvalidOperationException("Simulated crash in the middle of a batch.");
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>Before write number <c>restartAtWrite</c>, stops the server as a crash would and starts it again 1.5 s later.</summary>
    private sealed class RestartingSink(IPageSink inner, PostgresServer server, int restartAtWrite) : IPageSink
    {
        private int _writes;

        public Task Restarted { get; private set; } = Task.CompletedTask;

        public int FailedWrites { get; private set; }

        public string Name => inner.Name;

        public async ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken = default)
        {
            if (++_writes == restartAtWrite)
            {
                await server.StopAsync();
                Restarted = Task.Run(async () =>
                {
                    await Task.Delay(1500, CancellationToken.None);
                    await server.StartAsync();
                }, CancellationToken.None);
            }

            try
            {
                await inner.WriteAsync(pages, cancellationToken);
            }
            catch (NpgsqlException)
            {
                FailedWrites++;
                throw;
            }
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
