using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;

namespace Firecrawl.Streaming.Tests.Checkpoints;

public sealed class PipelineCheckpointFormatTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    private static string Token(int position, string jobId = "job-1") => TestPages.Create(1, jobId, first: position)[0].ResumeToken;

    [Fact]
    public void Format_ThenParse_KeepsJobTokenAndSinks()
    {
        var checkpoint = new PipelineCheckpoint(JobKind.BatchScrape, "job-1", Token(7), ["jsonl:a.jsonl", "lucene:./index", "jsonl:a.jsonl"]);

        PipelineCheckpoint back = PipelineCheckpoint.Parse(checkpoint.Format());

        Assert.Equal(JobKind.BatchScrape, back.Kind);
        Assert.Equal("job-1", back.JobId);
        Assert.Equal(Token(7), back.ResumeAfter);
        Assert.Equal(["jsonl:a.jsonl", "lucene:./index"], back.SinkNames);
        Assert.True(back.Covers("lucene:./index"));
        Assert.False(back.Covers("md:./pages"));
        Assert.StartsWith("{\"v\":1,", checkpoint.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PlainResumeTokenOfAnOlderStore_SinksUnknownAndEverySinkCovered()
    {
        PipelineCheckpoint checkpoint = PipelineCheckpoint.Parse(Token(3, "job-9"));

        Assert.Equal("job-9", checkpoint.JobId);
        Assert.Equal(Token(3, "job-9"), checkpoint.ResumeAfter);
        Assert.Null(checkpoint.SinkNames);
        Assert.True(checkpoint.Covers("anything"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("fc1.abc")]
    [InlineData("{}")]
    [InlineData("{\"v\":2,\"kind\":\"batch\",\"jobId\":\"job-1\"}")]
    [InlineData("{\"v\":1,\"kind\":\"scrape\",\"jobId\":\"job-1\"}")]
    [InlineData("{\"v\":1,\"kind\":\"batch\",\"jobId\":\"job-1\",\"sinks\":[1]}")]
    [InlineData("{\"v\":1,\"kind\":\"batch\",\"jobId\":\"job-1\",\"resumeAfter\":\"fc2.bm90IGEgdG9rZW4\"}")]
    [InlineData("{\"v\":1,\"kind\":\"batch\",\"jobId\":\"job-1\"")]
    public void Parse_NotACheckpoint_ThrowsInvalidData(string value)
    {
        Assert.False(PipelineCheckpoint.TryParse(value, out _));
        Assert.Throws<InvalidDataException>(() => PipelineCheckpoint.Parse(value));
    }

    [Fact]
    public void Parse_TokenOfAnotherJobThanTheCheckpointNames_IsNotACheckpoint()
    {
        string value = $"{{\"v\":1,\"kind\":\"batch\",\"jobId\":\"job-1\",\"resumeAfter\":\"{Token(2, "job-2")}\"}}";

        Assert.False(PipelineCheckpoint.TryParse(value, out _));
        Assert.Throws<ArgumentException>(() => new PipelineCheckpoint(JobKind.Crawl, "job-2", Token(2, "job-2"), null));
    }

    [Fact]
    public async Task SaveJobStartAsync_ThenLoadJobAsync_ReturnsTheJobWithNoPageInAFileStore()
    {
        var store = new FileCheckpointStore(_directory.Combine("job.checkpoint"));

        await store.SaveJobStartAsync(JobKind.Crawl, "crawl-42", ["jsonl:pages.jsonl"], Ct);

        Assert.Equal((JobKind.Crawl, "crawl-42"), await new FileCheckpointStore(_directory.Combine("job.checkpoint")).LoadJobAsync(Ct));
        PipelineCheckpoint? checkpoint = await store.LoadCheckpointAsync(Ct);
        Assert.Null(checkpoint!.ResumeAfter);
        Assert.Equal(["jsonl:pages.jsonl"], checkpoint.SinkNames);
    }

    [Fact]
    public async Task LoadJobAsync_EmptyStore_ReturnsNull()
    {
        Assert.Null(await new InMemoryCheckpointStore().LoadJobAsync(Ct));
        Assert.Null(await new InMemoryCheckpointStore().LoadCheckpointAsync(Ct));
    }

    [Fact]
    public async Task LoadJobAsync_PlainTokenStore_ReturnsTheTokensJob()
    {
        var store = new InMemoryCheckpointStore(Token(5, "job-7"));

        Assert.Equal((JobKind.BatchScrape, "job-7"), await store.LoadJobAsync(Ct));
    }

    [Fact]
    public async Task LoadCheckpointAsync_StoreHoldsGarbage_ThrowsInvalidData()
    {
        await Assert.ThrowsAsync<InvalidDataException>(() => new InMemoryCheckpointStore("garbage").LoadJobAsync(Ct).AsTask());
    }

    [Fact]
    public async Task SaveJobStartAsync_BlankJobId_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => new InMemoryCheckpointStore().SaveJobStartAsync(JobKind.BatchScrape, " ", [], Ct).AsTask());
    }
}
