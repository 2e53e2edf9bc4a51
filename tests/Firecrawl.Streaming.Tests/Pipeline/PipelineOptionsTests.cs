using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Sinks;

namespace Firecrawl.Streaming.Tests.Pipeline;

public sealed class PipelineOptionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, Action<PipelineOptions>> InvalidOptions => new()
    {
        { "ChannelCapacity", o => o.SinkDefaults.ChannelCapacity = 0 },
        { "BatchSize", o => o.SinkDefaults.BatchSize = 0 },
        { "MaxBatchDelay", o => o.SinkDefaults.MaxBatchDelay = TimeSpan.FromSeconds(-1) },
        { "MaxDegreeOfParallelism", o => o.SinkDefaults.MaxDegreeOfParallelism = 0 },
        { "MaxRetries", o => o.SinkDefaults.MaxRetries = -1 },
        { "MaxRetryDelay", o => o.SinkDefaults.MaxRetryDelay = TimeSpan.FromTicks(1) },
        { "CheckpointInterval", o => o.CheckpointInterval = 0 },
        { "CheckpointPeriod", o => o.CheckpointPeriod = TimeSpan.Zero },
        { "ProgressInterval", o => o.ProgressInterval = TimeSpan.Zero },
        { "BatchSize", o => o.SinkOverrides["x"] = new SinkOptions { BatchSize = -3 } },
        { "CancellationFlushTimeout", o => o.CancellationFlushTimeout = TimeSpan.FromSeconds(-2) },
        { "DeadLetterPath", o => o.SinkDefaults.DeadLetter = DeadLetterPolicy.WriteToFile },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Validate_OutOfRange_ThrowsNamingTheOption(string name, Action<PipelineOptions> spoil)
    {
        var options = new PipelineOptions();
        spoil(options);

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal(name, error.ParamName);
    }

    [Fact]
    public void Validate_Defaults_Pass()
    {
        new PipelineOptions().Validate();
        new SinkOptions().Validate();
        new JsonLinesSinkOptions().Validate();
        new MarkdownDirectorySinkOptions().Validate();
    }

    [Fact]
    public void Defaults_CancellationFlushAndDeadLetters_AreTheDocumentedOnes()
    {
        var options = new PipelineOptions { CancellationFlushTimeout = Timeout.InfiniteTimeSpan };
        options.Validate();

        Assert.Equal(TimeSpan.FromSeconds(5), new PipelineOptions().CancellationFlushTimeout);
        Assert.Equal(DeadLetterPolicy.FailRun, options.SinkDefaults.DeadLetter);
        Assert.Null(options.SinkDefaults.DeadLetterPath);
    }

    [Fact]
    public void SinkOptions_CopyConstructor_CopiesEveryProperty()
    {
        Func<Exception, bool> predicate = _ => true;
        var original = new SinkOptions
        {
            ChannelCapacity = 3, BatchSize = 4, MaxBatchDelay = TimeSpan.FromSeconds(5), MaxDegreeOfParallelism = 6,
            MaxRetries = 7, RetryBaseDelay = TimeSpan.FromSeconds(8), MaxRetryDelay = TimeSpan.FromSeconds(9), ShouldRetry = predicate,
            DeadLetter = DeadLetterPolicy.WriteToFile, DeadLetterPath = "dead.jsonl",
        };

        var copy = new SinkOptions(original);

        Assert.Equivalent(original, copy);
        Assert.Same(predicate, copy.ShouldRetry);
    }

    [Fact]
    public async Task ToSinksAsync_DuplicateSinkNames_Throws()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            new CountingSource(1).ToSinksAsync([new RecordingSink("same"), new RecordingSink("same")], null, Ct));

        Assert.Contains("same", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToSinksAsync_NoSinks_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => new CountingSource(1).ToSinksAsync([], null, Ct));
    }

    [Fact]
    public async Task ToSinksAsync_OneSinkOverload_WritesEveryPage()
    {
        var a = new RecordingSink("a");

        PipelineResult result = await new CountingSource(12).ToSinksAsync(a, TestContext.Current.CancellationToken);

        Assert.Equal(12, a.PagesWritten);
        Assert.Equal([12L], result.Sinks.Select(s => s.PagesWritten));
    }

    [Fact]
    public async Task ToSinksAsync_OneSinkOverloadCancelled_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new CountingSource(12).ToSinksAsync(new RecordingSink("a"), cancelled.Token));
    }

    [Fact]
    public async Task ToSinksAsync_LeaveSinksOpen_SinksNotDisposed()
    {
        var open = new RecordingSink("open");
        var owned = new RecordingSink("owned");

        await new CountingSource(5).ToSinksAsync([open], new PipelineOptions { LeaveSinksOpen = true }, TestContext.Current.CancellationToken);
        await new CountingSource(5).ToSinksAsync([owned], new PipelineOptions(), TestContext.Current.CancellationToken);

        Assert.False(open.Disposed);
        Assert.True(open.Flushes > 0);
        Assert.Equal(5, open.PagesWritten);
        Assert.True(owned.Disposed);
    }

    [Fact]
    public async Task ToSinksAsync_CollectionExpressionWithoutOptions_WritesToEverySink()
    {
        var a = new RecordingSink("a");
        var b = new RecordingSink("b");

        PipelineResult result = await new CountingSource(5).ToSinksAsync([a, b]);

        Assert.Equal(5, result.PagesRead);
        Assert.Equal(5, b.PagesWritten);
    }
}
