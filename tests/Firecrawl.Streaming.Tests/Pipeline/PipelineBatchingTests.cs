using Firecrawl.Streaming.Pipeline;
using static Firecrawl.Streaming.Tests.Pipeline.PipelineTestExtensions;

namespace Firecrawl.Streaming.Tests.Pipeline;

public sealed class PipelineBatchingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ToSinksAsync_FastSource_WritesFullBatchesThenTheRest()
    {
        var sink = new RecordingSink();
        var options = new PipelineOptions { SinkDefaults = { BatchSize = 100, MaxBatchDelay = TimeSpan.FromSeconds(30) } };

        await new CountingSource(250).ToSinksAsync([sink], options, Ct);

        Assert.Equal([100, 100, 50], sink.Batches.Select(b => b.Count));
    }

    [Fact]
    public async Task ToSinksAsync_SourcePauses_PartialBatchWrittenAfterMaxBatchDelay()
    {
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var source = new CountingSource(10) { BeforePage = (i, ct) => i == 3 ? new ValueTask(resume.Task.WaitAsync(ct)) : ValueTask.CompletedTask };
        var sink = new RecordingSink();
        var options = new PipelineOptions { SinkDefaults = { BatchSize = 100, MaxBatchDelay = TimeSpan.FromMilliseconds(50) } };

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Task<PipelineResult> run = source.ToSinksAsync([sink], options, Ct);
        await WaitUntilAsync(() => sink.PagesWritten == 3, "the partial batch was written");
        long waited = clock.ElapsedMilliseconds;
        resume.SetResult();
        await run;

        Assert.True(waited >= 45, $"The partial batch was written after {waited} ms, before MaxBatchDelay.");
        Assert.Equal([3, 7], sink.Batches.Select(b => b.Count));
    }

    [Fact]
    public async Task ToSinksAsync_ZeroMaxBatchDelay_WritesWhatIsQueuedWithoutWaiting()
    {
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var source = new CountingSource(4) { BeforePage = (i, ct) => i == 1 ? new ValueTask(resume.Task.WaitAsync(ct)) : ValueTask.CompletedTask };
        var sink = new RecordingSink();
        var options = new PipelineOptions { SinkDefaults = { BatchSize = 100, MaxBatchDelay = TimeSpan.Zero } };

        Task<PipelineResult> run = source.ToSinksAsync([sink], options, Ct);
        await WaitUntilAsync(() => sink.PagesWritten == 1, "the first page was written alone");
        resume.SetResult();
        await run;

        Assert.Single(sink.Batches[0]);
        Assert.Equal(4, sink.PagesWritten);
    }

    [Fact]
    public async Task ToSinksAsync_PerSinkOverride_AppliesOnlyToThatSink()
    {
        var small = new RecordingSink("small");
        var large = new RecordingSink("large");
        var options = new PipelineOptions { SinkDefaults = { BatchSize = 50, MaxBatchDelay = TimeSpan.FromSeconds(30) } };
        options.SinkOverrides["small"] = new SinkOptions(options.SinkDefaults) { BatchSize = 10 };

        await new CountingSource(100).ToSinksAsync([small, large], options, Ct);

        Assert.All(small.Batches, b => Assert.Equal(10, b.Count));
        Assert.All(large.Batches, b => Assert.Equal(50, b.Count));
    }

    [Fact]
    public async Task ToSinksAsync_Batches_KeepJobOrder()
    {
        var sink = new RecordingSink();
        var source = new CountingSource(123);

        await source.ToSinksAsync([sink], new PipelineOptions { SinkDefaults = { BatchSize = 7 } }, Ct);

        Assert.Equal(source.Pages.Select(p => p.Position), sink.Batches.SelectMany(b => b).Select(p => p.Position));
    }
}
