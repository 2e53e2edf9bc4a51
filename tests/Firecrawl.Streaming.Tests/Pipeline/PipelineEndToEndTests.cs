using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;
using Firecrawl.Streaming.Tests.Sinks.JsonLines;
using static Firecrawl.Streaming.Tests.Pipeline.PipelineTestExtensions;

namespace Firecrawl.Streaming.Tests.Pipeline;

/// <summary>The whole path: fake server, client, pipeline, real sinks, checkpoint file.</summary>
public sealed class PipelineEndToEndTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    private static FirecrawlJobClientOptions ClientOptions(FakeFirecrawlServer server)
    {
        FirecrawlJobClientOptions options = server.CreateClientOptions();
        options.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
        options.MaxRetryDelay = TimeSpan.FromMilliseconds(20);
        return options;
    }

    [Fact]
    public async Task StreamJobToSinksAsync_TwoRealSinksFailingInTurn_AfterResumesBothHoldEveryPageOnce()
    {
        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);
        FakeJob job = server.AddJob(Enumerable.Range(0, 300).Select(i => TestPages.Json(i)), new FakeJobOptions { PageLimit = 40 });
        using var client = new FirecrawlJobClient(ClientOptions(server));
        string jsonl = _directory.Combine("pages.jsonl.gz");
        string markdown = _directory.Combine("md");
        var store = new FileCheckpointStore(_directory.Combine("job.checkpoint"));
        var failures = new List<string>();

        for (int run = 0; run < 20; run++)
        {
            // Odd runs fail in the JSON Lines sink, even runs in the Markdown sink, at a different page each time.
            int failAt = 15 + (run * 7 % 50);
            bool failJsonl = run % 2 == 1;
            IPageSink jsonlSink = new JsonLinesSink(jsonl);
            IPageSink markdownSink = new MarkdownDirectorySink(markdown);
            IPageSink[] sinks = run < 6
                ? [failJsonl ? FailAfter(jsonlSink, failAt) : jsonlSink, failJsonl ? markdownSink : FailAfter(markdownSink, failAt)]
                : [jsonlSink, markdownSink];
            var options = new PipelineOptions { Checkpoint = store, CheckpointInterval = 25, SinkDefaults = { BatchSize = 8, MaxRetries = 0, MaxBatchDelay = TimeSpan.FromMilliseconds(2) } };
            try
            {
                PipelineResult result = await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, sinks, options, Ct);
                Assert.Equal(6, failures.Count);
                Assert.Equal(299, ResumeTokenPosition(result.LastCheckpoint));
                break;
            }
            catch (IOException e) when (e.Message.StartsWith("injected", StringComparison.Ordinal))
            {
                failures.Add(e.Message);
            }
        }

        List<string> expected = job.Pages.Select(p => PageParser.Parse(p).Key).Order().ToList();
        Assert.Equal(expected, JsonLinesFile.ReadKeys(jsonl).Order());
        Assert.Equal(expected.Count, Directory.GetFiles(markdown).Length);
    }

    [Fact]
    public async Task StreamJobToSinksAsync_ServerDropsAndRateLimits_ClientRetriesAndSinkGetsEveryPageOnce()
    {
        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);
        FakeJob job = server.AddJob(Enumerable.Range(0, 120).Select(i => TestPages.Json(i)), new FakeJobOptions { PageLimit = 30 });
        job.Faults.Enqueue(FakeFault.DropAfterBytes(2500), atSkip: 30);
        job.Faults.Enqueue(FakeFault.Status(429, "Rate limit exceeded, please retry after 0.005s"), atSkip: 60);
        job.Faults.Enqueue(FakeFault.Status(502), atSkip: 90);
        using var client = new FirecrawlJobClient(ClientOptions(server));
        var sink = new RecordingSink();

        PipelineResult result = await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [sink], new PipelineOptions(), Ct);

        Assert.Equal(120, result.PagesRead);
        Assert.Equal(120, sink.Keys.Count);
        Assert.Equal(Enumerable.Range(0, 120).Select(i => (long)i), sink.Batches.SelectMany(b => b).Select(p => p.Position));
    }

    [Fact]
    public async Task StreamJobToSinksAsync_JobStillScraping_ProgressCarriesJobStatus()
    {
        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);
        FakeJob job = server.AddJob(Enumerable.Range(0, 40).Select(i => TestPages.Json(i)), new FakeJobOptions { ScrapingRequests = 3, PageLimit = 10 });
        FirecrawlJobClientOptions clientOptions = ClientOptions(server);
        clientOptions.PollInterval = TimeSpan.FromMilliseconds(5);
        using var client = new FirecrawlJobClient(clientOptions);
        var progress = new SyncProgress<PipelineProgress>();
        var options = new PipelineOptions { Progress = progress, ProgressInterval = TimeSpan.FromMilliseconds(5) };

        PipelineResult result = await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [new RecordingSink()], options, Ct);

        Assert.Equal(40, result.PagesRead);
        PipelineProgress last = progress.Reports[^1];
        Assert.True(last.IsFinal);
        Assert.Equal("completed", last.JobStatus?.Status);
        Assert.Equal(40, last.JobStatus?.Total);
    }

    [Fact]
    public async Task StreamJobToSinksAsync_SecondRunAfterCompletion_ReadsNothingAgain()
    {
        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);
        FakeJob job = server.AddJob(Enumerable.Range(0, 30).Select(i => TestPages.Json(i)));
        using var client = new FirecrawlJobClient(ClientOptions(server));
        var store = new FileCheckpointStore(_directory.Combine("job.checkpoint"));
        var options = new PipelineOptions { Checkpoint = store };
        string path = _directory.Combine("pages.jsonl");

        await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [new JsonLinesSink(path)], options, Ct);
        PipelineResult again = await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [new JsonLinesSink(path)], options, Ct);

        Assert.Equal(0, again.PagesRead);
        Assert.Equal((await store.LoadCheckpointAsync(Ct))?.ResumeAfter, again.LastCheckpoint);
        Assert.Equal(30, JsonLinesFile.ReadKeys(path).Count);
    }

    private static long ResumeTokenPosition(string? token)
    {
        Assert.True(ResumeToken.TryParse(token, out _, out _, out long position, out _));
        return position;
    }

    /// <summary>Passes writes through until <paramref name="pages"/> pages have gone by, then fails every write.</summary>
    private static DelegatePageSink FailAfter(IPageSink inner, int pages)
    {
        int seen = 0;
        return new DelegatePageSink(
            inner.Name,
            async (batch, ct) =>
            {
                seen += batch.Count;
                if (seen > pages)
                {
                    await inner.WriteAsync(batch.Take(batch.Count / 2).ToList(), ct);
                    throw new IOException($"injected failure in {inner.Name} after {pages} pages");
                }

                await inner.WriteAsync(batch, ct);
            },
            inner.FlushAsync,
            inner.DisposeAsync);
    }
}
