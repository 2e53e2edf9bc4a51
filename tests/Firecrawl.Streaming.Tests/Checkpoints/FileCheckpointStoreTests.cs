using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;
using Microsoft.Extensions.Time.Testing;

namespace Firecrawl.Streaming.Tests.Checkpoints;

public sealed class FileCheckpointStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string FilePath => _directory.Combine("nested/dir/job.checkpoint");

    public void Dispose() => _directory.Dispose();

    private static string Token(int position) => TestPages.Create(1, "job-1", first: position)[0].ResumeToken;

    [Fact]
    public async Task LoadAsync_NoFile_ReturnsNull()
    {
        Assert.Null(await new FileCheckpointStore(FilePath).LoadAsync(Ct));
    }

    [Fact]
    public async Task SaveAsync_ThenLoadAsync_ReturnsTheTokenFromANewStore()
    {
        await new FileCheckpointStore(FilePath).SaveAsync(Token(41), Ct);

        Assert.Equal(Token(41), await new FileCheckpointStore(FilePath).LoadAsync(Ct));
    }

    [Fact]
    public async Task SaveAsync_Twice_KeepsTheLatestAndLeavesNoTemporaryFile()
    {
        var store = new FileCheckpointStore(FilePath, new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)));
        await store.SaveAsync(Token(1), Ct);
        await store.SaveAsync(Token(2), Ct);

        Assert.Equal(Token(2), await store.LoadAsync(Ct));
        Assert.Equal(["job.checkpoint"], Directory.GetFiles(Path.GetDirectoryName(FilePath)!).Select(Path.GetFileName));
        string content = await File.ReadAllTextAsync(FilePath, Ct);
        Assert.Contains("\"version\":1", content, StringComparison.Ordinal);
        Assert.Contains("2026-01-02T03:04:05", content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveAsync_StaleTemporaryFileFromACrash_IsReplacedAndTheOldTokenStillLoads()
    {
        var store = new FileCheckpointStore(FilePath);
        await store.SaveAsync(Token(5), Ct);
        await File.WriteAllTextAsync(FilePath + ".tmp", "{\"version\":1,\"resumeAf", Ct);

        Assert.Equal(Token(5), await store.LoadAsync(Ct));
        await store.SaveAsync(Token(6), Ct);
        Assert.Equal(Token(6), await store.LoadAsync(Ct));
        Assert.False(File.Exists(FilePath + ".tmp"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("fc1.abc")]
    [InlineData("{\"version\":2,\"resumeAfter\":\"fc1.x\"}")]
    [InlineData("{\"version\":1}")]
    [InlineData("{\"version\":1,\"resumeAfter\":\"\"}")]
    public async Task LoadAsync_NotACheckpointFile_ThrowsInvalidDataNamingThePath(string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        await File.WriteAllTextAsync(FilePath, content, Ct);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new FileCheckpointStore(FilePath).LoadAsync(Ct).AsTask());

        Assert.Contains(FilePath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveAsync_WhileAnotherReaderLoads_ReaderNeverSeesATornFile()
    {
        var store = new FileCheckpointStore(FilePath);
        await store.SaveAsync(Token(0), Ct);
        string[] tokens = Enumerable.Range(0, 200).Select(Token).ToArray();
        using var done = new CancellationTokenSource();
        int loads = 0;

        Task reader = Task.Run(
            async () =>
            {
                var other = new FileCheckpointStore(FilePath);
                while (!done.IsCancellationRequested)
                {
                    string? token = await other.LoadAsync(Ct);
                    Assert.Contains(token, tokens);
                    loads++;
                }
            },
            Ct);
        foreach (string token in tokens)
        {
            await store.SaveAsync(token, Ct);
        }

        await done.CancelAsync();
        await reader;

        Assert.True(loads > 0);
        Assert.Equal(tokens[^1], await store.LoadAsync(Ct));
    }

    [Fact]
    public async Task SaveAsync_Cancelled_KeepsTheOldToken()
    {
        var store = new FileCheckpointStore(FilePath);
        await store.SaveAsync(Token(3), Ct);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SaveAsync(Token(4), new CancellationToken(canceled: true)).AsTask());

        Assert.Equal(Token(3), await store.LoadAsync(Ct));
    }

    [Fact]
    public void Constructor_RelativePath_IsMadeFull() =>
        Assert.True(Path.IsPathFullyQualified(new FileCheckpointStore("relative.checkpoint").Path));
}

public sealed class InMemoryCheckpointStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SaveAsync_SeveralTokens_LoadReturnsTheLastAndHistoryKeepsAll()
    {
        var store = new InMemoryCheckpointStore("t0");
        await store.SaveAsync("t1", Ct);
        await store.SaveAsync("t2", Ct);

        Assert.Equal("t2", await store.LoadAsync(Ct));
        Assert.Equal(["t1", "t2"], store.History);
    }

    [Fact]
    public async Task LoadAsync_Empty_ReturnsNull() => Assert.Null(await new InMemoryCheckpointStore().LoadAsync(Ct));
}
