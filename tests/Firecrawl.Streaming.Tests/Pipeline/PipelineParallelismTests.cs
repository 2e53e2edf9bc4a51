using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;

namespace Firecrawl.Streaming.Tests.Pipeline;

public sealed class PipelineParallelismTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ToSinksAsync_MaxDegreeOfParallelism3_RunsThreeWritesAtOnce()
    {
        var sink = new RecordingSink { OnWrite = (_, _, ct) => new ValueTask(Task.Delay(20, ct)) };
        var options = new PipelineOptions { SinkDefaults = { BatchSize = 5, MaxDegreeOfParallelism = 3, MaxBatchDelay = TimeSpan.FromSeconds(5) } };

        await new CountingSource(100).ToSinksAsync([sink], options, Ct);

        Assert.Equal(3, sink.MaxConcurrentWrites);
        Assert.Equal(100, sink.Keys.Count);
    }

    [Fact]
    public async Task ToSinksAsync_MaxDegreeOfParallelism1_NeverOverlapsWritesOrFlushes()
    {
        var sink = new RecordingSink { OnWrite = (_, _, ct) => new ValueTask(Task.Delay(1, ct)) };
        var options = new PipelineOptions { SinkDefaults = { BatchSize = 3 }, CheckpointInterval = 7 };

        await new CountingSource(60).ToSinksAsync([sink], options, Ct);

        Assert.Equal(1, sink.MaxConcurrentWrites);
        Assert.False(sink.FlushOverlappedWrite);
    }

    [Fact]
    public async Task ToSinksAsync_ParallelWritesCompleteOutOfOrder_FlushesNeverOverlapAndCheckpointCoversOnlyWrittenPages()
    {
        var sink = new RecordingSink();

        // Every third batch is slow, so later batches finish first.
        sink.OnWrite = (_, call, ct) => new ValueTask(Task.Delay(call % 3 == 1 ? 30 : 1, ct));
        var store = new VerifyingStore(sink);
        var options = new PipelineOptions
        {
            SinkDefaults = { BatchSize = 4, MaxDegreeOfParallelism = 4, MaxBatchDelay = TimeSpan.FromSeconds(5) },
            CheckpointInterval = 10,
            Checkpoint = store,
        };

        PipelineResult result = await new CountingSource(120).ToSinksAsync([sink], options, Ct);

        Assert.False(sink.FlushOverlappedWrite);
        Assert.True(sink.MaxConcurrentWrites > 1);
        Assert.True(store.Saves >= 3, $"{store.Saves} checkpoints");
        Assert.Empty(store.Violations);
        Assert.True(ResumeToken.TryParse(result.LastCheckpoint, out _, out _, out long last, out _));
        Assert.Equal(119, last);
    }

    /// <summary>Checks at every save that each sink's flushes have covered every page up to the checkpoint.</summary>
    internal sealed class VerifyingStore(params RecordingSink[] sinks) : ICheckpointStore
    {
        private readonly InMemoryCheckpointStore _inner = new();

        public List<string> Violations { get; } = [];

        public int Saves { get; private set; }

        public ValueTask<string?> LoadAsync(CancellationToken cancellationToken = default) => _inner.LoadAsync(cancellationToken);

        public ValueTask SaveAsync(string resumeToken, CancellationToken cancellationToken = default)
        {
            Saves++;
            Assert.True(ResumeToken.TryParse(PipelineCheckpoint.Parse(resumeToken).ResumeAfter, out _, out _, out long position, out _));
            foreach (RecordingSink sink in sinks)
            {
                if (sink.FlushedThrough < position)
                {
                    Violations.Add($"checkpoint at {position} but {sink.Name} is durable only through {sink.FlushedThrough}");
                }
            }

            return _inner.SaveAsync(resumeToken, cancellationToken);
        }
    }
}
