using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using static Firecrawl.Streaming.Tests.Pipeline.PipelineTestExtensions;

namespace Firecrawl.Streaming.Tests.Pipeline;

/// <summary>Checkpoints that name their sinks, job-start checkpoints, and reruns after a failure that read nothing twice.</summary>
public sealed class PipelineResumeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static PipelineOptions Options(ICheckpointStore store) =>
        new() { Checkpoint = store, CheckpointInterval = 10, SinkDefaults = { BatchSize = 10, MaxRetries = 0, MaxBatchDelay = TimeSpan.FromMilliseconds(2) } };

    private static async Task<(FakeFirecrawlServer Server, FakeJob Job, FirecrawlJobClient Client)> StartAsync(int pages = 120)
    {
        FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);
        FakeJob job = server.AddJob(Enumerable.Range(0, pages).Select(i => TestPages.Json(i)), new FakeJobOptions { PageLimit = 30 });
        FirecrawlJobClientOptions options = server.CreateClientOptions();
        options.MaxRetries = 0;
        // These tests count the requests a rerun makes: with chunks read ahead, a request the failed first run had
        // started (and then abandoned) can still reach the server after that run returned.
        options.MaxConcurrency = 1;
        return (server, job, new FirecrawlJobClient(options));
    }

    private static RecordingSink FailingAt(string name, int call) =>
        new(name) { OnWrite = (_, n, _) => n == call ? throw new IOException("injected") : ValueTask.CompletedTask };

    [Fact]
    public async Task StreamJobToSinksAsync_Run_CheckpointNamesEverySinkOfTheRun()
    {
        (FakeFirecrawlServer server, FakeJob job, FirecrawlJobClient client) = await StartAsync(30);
        await using FakeFirecrawlServer _ = server;
        using FirecrawlJobClient __ = client;
        var store = new InMemoryCheckpointStore();

        await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [new RecordingSink("a"), new RecordingSink("b")], Options(store), Ct);

        PipelineCheckpoint? checkpoint = await store.LoadCheckpointAsync(Ct);
        Assert.Equal(["a", "b"], checkpoint!.SinkNames);
        Assert.Equal(job.Id, checkpoint.JobId);
        Assert.Equal(29, PositionOf(checkpoint.ResumeAfter));
    }

    [Fact]
    public async Task StreamJobToSinksAsync_ResumeWithASinkTheCheckpointDoesNotName_RefusedNamingItBeforeReadingAnything()
    {
        (FakeFirecrawlServer server, FakeJob job, FirecrawlJobClient client) = await StartAsync();
        await using FakeFirecrawlServer _ = server;
        using FirecrawlJobClient __ = client;
        var store = new InMemoryCheckpointStore();
        await Assert.ThrowsAsync<IOException>(() => client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [FailingAt("a", 4)], Options(store), Ct));
        int requests = server.Requests.Count;
        var added = new RecordingSink("b");

        var error = await Assert.ThrowsAsync<JobStreamException>(
            () => client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [new RecordingSink("a"), added], Options(store), Ct));

        Assert.Equal(JobStreamErrorCode.InvalidResumeToken, error.ErrorCode);
        Assert.Contains("covers a, not b", error.Message, StringComparison.Ordinal);
        Assert.Equal(requests, server.Requests.Count);
        Assert.Empty(added.Batches);
    }

    [Fact]
    public async Task StreamJobToSinksAsync_ResumeWithFewerSinks_ContinuesAndTheNextCheckpointNamesOnlyThem()
    {
        (FakeFirecrawlServer server, FakeJob job, FirecrawlJobClient client) = await StartAsync();
        await using FakeFirecrawlServer _ = server;
        using FirecrawlJobClient __ = client;
        var store = new InMemoryCheckpointStore();
        await Assert.ThrowsAsync<IOException>(
            () => client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [FailingAt("a", 4), new RecordingSink("b")], Options(store), Ct));
        var resumed = new RecordingSink("b");

        PipelineResult result = await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [resumed], Options(store), Ct);

        Assert.Equal(30, resumed.Batches.SelectMany(b => b).Min(p => p.Position));
        Assert.Equal(90, result.PagesRead);
        Assert.Equal(["b"], (await store.LoadCheckpointAsync(Ct))!.SinkNames);
    }

    [Fact]
    public async Task StreamJobToSinksAsync_PlainTokenFromAnOlderStore_AcceptedForAnySinks()
    {
        (FakeFirecrawlServer server, FakeJob job, FirecrawlJobClient client) = await StartAsync(30);
        await using FakeFirecrawlServer _ = server;
        using FirecrawlJobClient __ = client;
        string token = PageParser.Parse(TestPages.Json(19), job.Id, 19).ResumeToken;
        var sink = new RecordingSink("new");

        PipelineResult result = await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [sink], Options(new InMemoryCheckpointStore(token)), Ct);

        Assert.Equal(Enumerable.Range(20, 10).Select(i => (long)i), sink.Batches.SelectMany(b => b).Select(p => p.Position));
        Assert.Equal(10, result.PagesRead);
    }

    [Fact]
    public async Task StreamJobToSinksAsync_JobStartCheckpoint_StreamsTheJobFromItsFirstPage()
    {
        (FakeFirecrawlServer server, FakeJob job, FirecrawlJobClient client) = await StartAsync(30);
        await using FakeFirecrawlServer _ = server;
        using FirecrawlJobClient __ = client;
        var store = new InMemoryCheckpointStore();
        await store.SaveJobStartAsync(JobKind.BatchScrape, job.Id, ["a"], Ct);

        // Named at the start but not by the checkpoint: nothing was delivered, so it misses nothing.
        var sink = new RecordingSink("another");

        (JobKind kind, string id) = (await store.LoadJobAsync(Ct))!.Value;
        PipelineResult result = await client.StreamJobToSinksAsync(kind, id, [sink], Options(store), Ct);

        Assert.Equal(30, result.PagesRead);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), sink.Batches.SelectMany(b => b).Select(p => p.Position));
        Assert.Equal(29, PositionOf((await store.LoadCheckpointAsync(Ct))!.ResumeAfter));
        Assert.Equal(["another"], (await store.LoadCheckpointAsync(Ct))!.SinkNames);
    }

    [Fact]
    public async Task StreamJobToSinksAsync_JobStartCheckpointOfAnotherJob_Refused()
    {
        using var client = new FirecrawlJobClient(new FirecrawlJobClientOptions { ApiKey = "fc-test", BaseAddress = new Uri("http://127.0.0.1:9") });
        var store = new InMemoryCheckpointStore();
        await store.SaveJobStartAsync(JobKind.Crawl, "other", ["a"], Ct);

        var error = await Assert.ThrowsAsync<JobStreamException>(
            () => client.StreamJobToSinksAsync(JobKind.BatchScrape, "this-job", [new RecordingSink("a")], Options(store), Ct));

        Assert.Equal(JobStreamErrorCode.InvalidResumeToken, error.ErrorCode);
        Assert.Contains("crawl other", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamJobToSinksAsync_SourceFailsMidJob_EveryPageReadIsCheckpointedAndTheRerunReadsNoPageTwice()
    {
        (FakeFirecrawlServer server, FakeJob job, FirecrawlJobClient client) = await StartAsync();
        await using FakeFirecrawlServer _ = server;
        using FirecrawlJobClient __ = client;
        job.Faults.Enqueue(FakeFault.Status(400, "Bad request"), atSkip: 60);
        var store = new InMemoryCheckpointStore();
        var first = new RecordingSink("a") { OnWrite = (_, _, ct) => new ValueTask(Task.Delay(2, ct)) };
        PipelineOptions options = Options(store);
        options.CheckpointInterval = 1000;

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [first], options, Ct));
        var second = new RecordingSink("a");
        PipelineResult rerun = await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [second], options, Ct);

        Assert.Equal(400, error.Status);
        Assert.True(PipelineResult.TryGetPartial(error, out PipelineResult? partial));
        Assert.Equal(60, partial.PagesDurable);
        List<long> positions = [.. first.Batches.SelectMany(b => b).Select(p => p.Position), .. second.Batches.SelectMany(b => b).Select(p => p.Position)];
        Assert.Equal(Enumerable.Range(0, 120).Select(i => (long)i), positions);
        Assert.Equal(60, rerun.PagesRead);
    }

    [Fact]
    public async Task StreamJobToSinksAsync_SinkFailsMidJob_RerunReadsAgainOnlyWhatTheFailedSinkLacked()
    {
        (FakeFirecrawlServer server, FakeJob job, FirecrawlJobClient client) = await StartAsync();
        await using FakeFirecrawlServer _ = server;
        using FirecrawlJobClient __ = client;
        var store = new InMemoryCheckpointStore();
        var healthy = new RecordingSink("healthy");
        await Assert.ThrowsAsync<IOException>(
            () => client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [FailingAt("failing", 5), healthy], Options(store), Ct));

        var failing = new RecordingSink("failing");
        PipelineResult rerun = await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [failing, new RecordingSink("healthy")], Options(store), Ct);

        // The failed sink wrote four batches (0..39) and flushed them; the rerun starts right after.
        Assert.Equal(40, failing.Batches.SelectMany(b => b).Min(p => p.Position));
        Assert.Equal(80, rerun.PagesRead);
        Assert.True(healthy.FlushedThrough >= 39);
    }
}
