using System.Text;
using System.Text.Json;
using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;

namespace Firecrawl.Streaming.Tests.Pipeline;

public sealed class PipelineDeadLetterTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DeadLetterPath => _directory.Combine("dead/letters.jsonl");

    public void Dispose() => _directory.Dispose();

    private PipelineOptions Options(ICheckpointStore? store = null) => new()
    {
        Checkpoint = store,
        SinkDefaults =
        {
            BatchSize = 10,
            MaxRetries = 1,
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            MaxBatchDelay = TimeSpan.FromMilliseconds(10),
            DeadLetter = DeadLetterPolicy.WriteToFile,
            DeadLetterPath = DeadLetterPath,
        },
    };

    /// <summary>A sink that fails every batch holding one of the poison positions, as Lucene did on an immense term.</summary>
    private static RecordingSink Rejecting(string name, params long[] poison) => new(name)
    {
        OnWrite = (pages, _, _) => pages.FirstOrDefault(p => poison.Contains(p.Position)) is { } bad
            ? throw new ArgumentException($"Document contains at least one immense term (page {bad.Position}).")
            : ValueTask.CompletedTask,
    };

    private List<JsonElement> ReadDeadLetters() =>
        File.Exists(DeadLetterPath)
            ? File.ReadAllLines(DeadLetterPath).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l, new JsonDocumentOptions { MaxDepth = 512 }).RootElement.Clone()).ToList()
            : [];

    [Fact]
    public async Task ToSinksAsync_PoisonPageUnderWriteToFile_HealthyPagesOfItsBatchWrittenAndThePoisonSetAside()
    {
        var source = new CountingSource(30);
        RecordingSink sink = Rejecting("index", 13);

        PipelineResult result = await source.ToSinksAsync([sink], Options(new InMemoryCheckpointStore()), Ct);

        ScrapedPage poison = source.Pages[13];
        Assert.Equal(source.Pages.Where(p => p.Position != 13).Select(p => p.Key).Order(), sink.Keys.Order());
        Assert.Equal(29, result.Sinks[0].PagesWritten);
        Assert.Equal(1, result.Sinks[0].PagesDeadLettered);
        Assert.Equal(1, result.PagesDeadLettered);
        Assert.Equal(30, result.PagesDurable);
        Assert.Equal(29, PipelineTestExtensions.PositionOf(result.LastCheckpoint));

        JsonElement letter = Assert.Single(ReadDeadLetters());
        Assert.Equal("index", letter.GetProperty("sink").GetString());
        Assert.Equal(typeof(ArgumentException).FullName, letter.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("immense term", letter.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(DateTimeOffset.UtcNow - letter.GetProperty("deadLetteredAt").GetDateTimeOffset() < TimeSpan.FromMinutes(5));
        Assert.Equal(13, letter.GetProperty("position").GetInt64());
        Assert.Equal(poison.Key, letter.GetProperty("key").GetString());
        Assert.Equal("job-1", letter.GetProperty("jobId").GetString());
        Assert.Equal(Encoding.UTF8.GetString(poison.Utf8Json.Span), letter.GetProperty("page").GetRawText());
    }

    [Fact]
    public async Task ToSinksAsync_TwoSinksSetTheSamePageAside_OneFileTwoLinesCountedOnce()
    {
        RecordingSink first = Rejecting("first", 4);
        RecordingSink second = Rejecting("second", 4);

        PipelineResult result = await new CountingSource(12).ToSinksAsync([first, second], Options(), Ct);

        Assert.Equal(["first", "second"], ReadDeadLetters().Select(l => l.GetProperty("sink").GetString()).Order());
        Assert.Equal(1, result.PagesDeadLettered);
        Assert.All(result.Sinks, s => Assert.Equal(1, s.PagesDeadLettered));
    }

    [Fact]
    public async Task StreamJobToSinksAsync_PoisonPage_CoverageCountsItDeadLetteredAndTheJobComplete()
    {
        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);
        FakeJob job = server.AddJob(Enumerable.Range(0, 20).Select(i => TestPages.Json(i)), new FakeJobOptions { PageLimit = 8 });
        using var client = new FirecrawlJobClient(server.CreateClientOptions());

        PipelineResult result = await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [Rejecting("a", 7), Rejecting("b", 7, 15)], Options(), Ct);

        Assert.Equal(2, result.Coverage!.DeadLettered);
        Assert.Equal(2, result.PagesDeadLettered);
        Assert.True(result.Coverage.IsComplete);
        Assert.Equal([1L, 2L], result.Sinks.Select(s => s.PagesDeadLettered));
    }

    [Fact]
    public async Task ToSinksAsync_EveryPageOfABatchFailsAlone_RunFailsAsTheSinkIsDownAndNothingIsSetAside()
    {
        var outage = new IOException("connection refused");
        var sink = new RecordingSink { OnWrite = (pages, _, _) => pages[0].Position >= 10 ? throw outage : ValueTask.CompletedTask };

        var thrown = await Assert.ThrowsAsync<IOException>(() => new CountingSource(30).ToSinksAsync([sink], Options(), Ct));

        Assert.Same(outage, thrown);
        Assert.Empty(ReadDeadLetters());
        Assert.True(PipelineResult.TryGetPartial(thrown, out PipelineResult? partial));
        Assert.Equal(0, partial.PagesDeadLettered);
        Assert.Equal(10, partial.PagesDurable);
    }

    [Fact]
    public async Task ToSinksAsync_DefaultPolicy_PoisonPageFailsTheRunAndWritesNoDeadLetterFile()
    {
        PipelineOptions options = Options();
        options.SinkDefaults = new SinkOptions { BatchSize = 10, MaxRetries = 0 };

        await Assert.ThrowsAsync<ArgumentException>(() => new CountingSource(30).ToSinksAsync([Rejecting("index", 13)], options, Ct));

        Assert.Equal(DeadLetterPolicy.FailRun, new SinkOptions().DeadLetter);
        Assert.False(File.Exists(DeadLetterPath));
    }

    [Fact]
    public async Task ToSinksAsync_CheckpointPassingAPoisonPage_FindsItInTheDeadLetterFileAlready()
    {
        var violations = new List<string>();
        var store = new ObservingStore(stored =>
        {
            long position = PipelineTestExtensions.PositionOf(stored);
            if (position >= 13 && !ReadDeadLetters().Any(l => l.GetProperty("position").GetInt64() == 13))
            {
                violations.Add($"checkpoint at {position} before the dead letter of page 13 was written");
            }
        });
        PipelineOptions options = Options(store);
        options.CheckpointInterval = 5;

        await new CountingSource(40).ToSinksAsync([Rejecting("index", 13)], options, Ct);

        Assert.True(store.Saves >= 3);
        Assert.Empty(violations);
    }

    [Fact]
    public async Task ToSinksAsync_DeadLetterFileEndsInATornLine_NextLineStartsOnItsOwn()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DeadLetterPath)!);
        await File.WriteAllTextAsync(DeadLetterPath, "{\"sink\":\"earlier\"}\n{\"sink\":\"torn", Ct);

        await new CountingSource(12).ToSinksAsync([Rejecting("index", 3)], Options(), Ct);

        string[] lines = await File.ReadAllLinesAsync(DeadLetterPath, Ct);
        Assert.Equal(3, lines.Length);
        Assert.Equal("index", JsonDocument.Parse(lines[2]).RootElement.GetProperty("sink").GetString());
    }

    [Fact]
    public async Task ToSinksAsync_PageNestedDeeperThan64SetAside_WrittenWhole()
    {
        ScrapedPage deep = SinkTestPages.Deep(0);
        var sink = new RecordingSink { OnWrite = (_, _, _) => throw new InvalidOperationException("too deep for this sink") };

        await new[] { deep }.ToAsyncEnumerable().ToSinksAsync([sink], Options(), Ct);

        Assert.Equal(deep.Key, Assert.Single(ReadDeadLetters()).GetProperty("key").GetString());
    }

    [Fact]
    public void Validate_WriteToFileWithoutPath_ThrowsNamingDeadLetterPath()
    {
        var options = new SinkOptions { DeadLetter = DeadLetterPolicy.WriteToFile };

        Assert.Equal(nameof(SinkOptions.DeadLetterPath), Assert.Throws<ArgumentException>(options.Validate).ParamName);
        Assert.Equal(nameof(SinkOptions.DeadLetter), Assert.Throws<ArgumentException>(new SinkOptions { DeadLetter = (DeadLetterPolicy)9 }.Validate).ParamName);
    }

    [Fact]
    public void Constructor_Copy_KeepsTheDeadLetterPolicy()
    {
        var copy = new SinkOptions(new SinkOptions { DeadLetter = DeadLetterPolicy.WriteToFile, DeadLetterPath = "x.jsonl" });

        Assert.Equal(DeadLetterPolicy.WriteToFile, copy.DeadLetter);
        Assert.Equal("x.jsonl", copy.DeadLetterPath);
    }

    /// <summary>A store that runs a check on every stored checkpoint.</summary>
    private sealed class ObservingStore(Action<string> onSave) : ICheckpointStore
    {
        private readonly InMemoryCheckpointStore _inner = new();

        public int Saves { get; private set; }

        public ValueTask<string?> LoadAsync(CancellationToken cancellationToken = default) => _inner.LoadAsync(cancellationToken);

        public ValueTask SaveAsync(string resumeToken, CancellationToken cancellationToken = default)
        {
            Saves++;
            onSave(resumeToken);
            return _inner.SaveAsync(resumeToken, cancellationToken);
        }
    }
}
