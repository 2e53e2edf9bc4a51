using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Pipeline;

public sealed class PipelineCheckpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static long PositionOf(string? token) => PipelineTestExtensions.PositionOf(token);

    [Fact]
    public async Task ToSinksAsync_CheckpointInterval_SavesAtEachIntervalAndAtTheEnd()
    {
        var store = new InMemoryCheckpointStore();
        var sink = new RecordingSink();
        var options = new PipelineOptions { Checkpoint = store, CheckpointInterval = 100, SinkDefaults = { BatchSize = 50 } };

        PipelineResult result = await new CountingSource(250).ToSinksAsync([sink], options, Ct);

        Assert.Equal([99L, 199L, 249L], store.History.Select(PositionOf));
        Assert.Equal(PipelineCheckpoint.Parse(store.ResumeToken!).ResumeAfter, result.LastCheckpoint);
    }

    [Fact]
    public async Task ToSinksAsync_CheckpointPeriod_FlushesAnIdleSinkWithoutWaitingForTheInterval()
    {
        var store = new InMemoryCheckpointStore();
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var source = new CountingSource(20) { BeforePage = (i, ct) => i == 10 ? new ValueTask(resume.Task.WaitAsync(ct)) : ValueTask.CompletedTask };
        var options = new PipelineOptions
        {
            Checkpoint = store,
            CheckpointInterval = 1000,
            CheckpointPeriod = TimeSpan.FromMilliseconds(50),
            SinkDefaults = { BatchSize = 5, MaxBatchDelay = TimeSpan.FromMilliseconds(5) },
        };

        Task<PipelineResult> run = source.ToSinksAsync([new RecordingSink()], options, Ct);
        await PipelineTestExtensions.WaitUntilAsync(() => store.ResumeToken is not null, "a checkpoint was taken while the source paused");
        long paused = PositionOf(store.ResumeToken);
        resume.SetResult();
        await run;

        Assert.Equal(9, paused);
        Assert.Equal(19, PositionOf(store.ResumeToken));
    }

    [Fact]
    public async Task ToSinksAsync_SinksAtDifferentPaces_CheckpointIsTheSlowestSinksDurablePoint()
    {
        var fast = new RecordingSink("fast");
        var slow = new RecordingSink("slow") { OnWrite = (_, _, ct) => new ValueTask(Task.Delay(3, ct)) };
        var store = new PipelineParallelismTests.VerifyingStore(fast, slow);
        var options = new PipelineOptions { Checkpoint = store, CheckpointInterval = 15, SinkDefaults = { BatchSize = 4, ChannelCapacity = 64 } };
        options.SinkOverrides["slow"] = new SinkOptions(options.SinkDefaults) { BatchSize = 7 };

        PipelineResult result = await new CountingSource(150).ToSinksAsync([fast, slow], options, Ct);

        Assert.Empty(store.Violations);
        Assert.True(store.Saves >= 5, $"{store.Saves} checkpoints");
        Assert.Equal(149, PositionOf(result.LastCheckpoint));
    }

    [Fact]
    public async Task ToSinksAsync_SinkFailsAfterSomeFlushes_CheckpointCoversWhatItWroteBeforeTheFailedBatch()
    {
        var store = new InMemoryCheckpointStore();
        var sink = new RecordingSink { OnWrite = (_, call, _) => call == 6 ? throw new IOException("disk full") : ValueTask.CompletedTask };
        var options = new PipelineOptions { Checkpoint = store, CheckpointInterval = 20, SinkDefaults = { BatchSize = 10, MaxRetries = 0 } };

        await Assert.ThrowsAsync<IOException>(() => new CountingSource(100).ToSinksAsync([sink], options, Ct));

        // Flushed at 19 and 39 on schedule; after batch 50..59 failed, once more for the batch 40..49 it had written.
        Assert.Equal([19L, 39L, 49L], store.History.Select(PositionOf));
    }

    [Fact]
    public async Task ToSinksAsync_FailedSinkCannotFlushEither_CheckpointStaysAtItsLastFlush()
    {
        var store = new InMemoryCheckpointStore();
        bool broken = false;
        var sink = new RecordingSink
        {
            OnWrite = (_, call, _) => call == 6 && (broken = true) ? throw new IOException("disk gone") : ValueTask.CompletedTask,
            OnFlush = (_, _) => broken ? throw new IOException("disk gone") : ValueTask.CompletedTask,
        };
        var healthy = new RecordingSink("healthy");
        var options = new PipelineOptions { Checkpoint = store, CheckpointInterval = 20, SinkDefaults = { BatchSize = 10, MaxRetries = 0 } };

        await Assert.ThrowsAsync<IOException>(() => new CountingSource(100).ToSinksAsync([sink, healthy], options, Ct));

        Assert.Equal(39, PositionOf(store.ResumeToken));
        Assert.True(healthy.FlushedThrough >= 59, $"the healthy sink is durable through {healthy.FlushedThrough}");
    }

    [Fact]
    public async Task ToSinksAsync_NoPages_NoCheckpointIsSaved()
    {
        var store = new InMemoryCheckpointStore();

        PipelineResult result = await new CountingSource(0).ToSinksAsync([new RecordingSink()], new PipelineOptions { Checkpoint = store }, Ct);

        Assert.Null(result.LastCheckpoint);
        Assert.Empty(store.History);
        Assert.Equal(0, result.PagesRead);
    }

    [Fact]
    public async Task StreamJobToSinksAsync_StoredCheckpoint_StreamsOnlyThePagesAfterIt()
    {
        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);
        FakeJob job = server.AddJob(Enumerable.Range(0, 120).Select(i => TestPages.Json(i)), new FakeJobOptions { PageLimit = 25 });
        using var client = new FirecrawlJobClient(server.CreateClientOptions());
        var first = new RecordingSink();
        var store = new InMemoryCheckpointStore();
        var options = new PipelineOptions { Checkpoint = store, CheckpointInterval = 10, SinkDefaults = { BatchSize = 10, MaxRetries = 0 } };
        first.OnWrite = (_, call, _) => call == 8 ? throw new IOException("crash") : ValueTask.CompletedTask;
        await Assert.ThrowsAsync<IOException>(() => client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [first], options, Ct));
        long checkpoint = PositionOf(store.ResumeToken);

        var second = new RecordingSink();
        PipelineResult result = await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [second], options, Ct);

        Assert.Equal(69, checkpoint);
        Assert.Equal(Enumerable.Range(70, 50).Select(i => (long)i), second.Batches.SelectMany(b => b).Select(p => p.Position));
        Assert.Equal(50, result.PagesRead);
        Assert.Equal(119, PositionOf(result.LastCheckpoint));
    }

    [Fact]
    public async Task StreamJobToSinksAsync_FieldSelection_SinksReceiveOnlyTheSelectedFields()
    {
        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);
        FakeJob job = server.AddJob(Enumerable.Range(0, 5).Select(i => TestPages.Json(i)));
        using var client = new FirecrawlJobClient(server.CreateClientOptions());
        var sink = new RecordingSink();
        var options = new PipelineOptions { StreamOptions = new JobStreamOptions { Fields = PageFields.Metadata } };

        await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [sink], options, Ct);

        Assert.All(sink.Batches.SelectMany(b => b), p =>
        {
            Assert.Null(p.Markdown);
            Assert.NotNull(p.Metadata.ScrapeId);
        });
    }

    [Fact]
    public async Task StreamJobToSinksAsync_CheckpointOfAnotherJob_ThrowsInvalidResumeToken()
    {
        using var client = new FirecrawlJobClient(new FirecrawlJobClientOptions { ApiKey = "fc-test", BaseAddress = new Uri("http://127.0.0.1:9") });
        string otherJobsToken = TestPages.Create(1, jobId: "other-job")[0].ResumeToken;
        var options = new PipelineOptions { Checkpoint = new InMemoryCheckpointStore(otherJobsToken) };

        var error = await Assert.ThrowsAsync<JobStreamException>(() => client.StreamJobToSinksAsync(JobKind.BatchScrape, "this-job", [new RecordingSink()], options, Ct));

        Assert.Equal(JobStreamErrorCode.InvalidResumeToken, error.ErrorCode);
    }
}
