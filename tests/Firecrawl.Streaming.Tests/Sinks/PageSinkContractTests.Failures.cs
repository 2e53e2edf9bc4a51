using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Sinks;

/// <summary>Dead letters and draining on failure, through the pipeline, against the sink's real backend.</summary>
public abstract partial class PageSinkContractTests
{
    [Fact]
    public async Task Pipeline_PoisonPageSetAside_BackendHoldsEveryOtherPageOnce()
    {
        List<ScrapedPage> pages = TestPages.Create(40);
        ScrapedPage poison = pages[17];
        string deadLetters = Path.Combine(Path.GetTempPath(), "fc-dead-" + Guid.NewGuid().ToString("N") + ".jsonl");
        try
        {
            var options = new PipelineOptions
            {
                SinkDefaults =
                {
                    BatchSize = 6,
                    MaxRetries = 0,
                    MaxBatchDelay = TimeSpan.FromMilliseconds(2),
                    DeadLetter = DeadLetterPolicy.WriteToFile,
                    DeadLetterPath = deadLetters,
                },
            };

            PipelineResult result = await pages.ToAsyncEnumerable().ToSinksAsync([new PoisonSink(await CreateSinkAsync(), poison.Key)], options, Ct);

            Assert.Equal(1, result.PagesDeadLettered);
            Assert.Equal(pages.Where(p => p != poison).Select(p => p.Key).Order(), (await ReadBackKeysAsync()).Order());
            Assert.Contains(poison.Key, await File.ReadAllTextAsync(deadLetters, Ct), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(deadLetters);
        }
    }

    [Fact]
    public async Task Pipeline_SourceFailsMidJob_BackendHoldsEveryPageReadAndTheRerunAddsTheRestOnce()
    {
        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);
        FakeJob job = server.AddJob(Enumerable.Range(0, 100).Select(JobPage), new FakeJobOptions { PageLimit = 25 });
        job.Faults.Enqueue(FakeFault.Status(400, "Bad request"), atSkip: 50);
        FirecrawlJobClientOptions clientOptions = server.CreateClientOptions();
        clientOptions.MaxRetries = 0;
        using var client = new FirecrawlJobClient(clientOptions);
        var store = new InMemoryCheckpointStore();
        var options = new PipelineOptions { Checkpoint = store, CheckpointInterval = 1000, SinkDefaults = { BatchSize = 7, MaxBatchDelay = TimeSpan.FromMilliseconds(2) } };
        List<string> expected = job.Pages.Select(p => PageParser.Parse(p).Key).ToList();

        IPageSink first = await CreateSinkAsync();
        await Assert.ThrowsAsync<FirecrawlApiException>(() => client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [first], options, Ct));
        IReadOnlyList<string> afterFailure = await ReadBackKeysAsync();
        PipelineResult rerun = await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [await CreateSinkAsync()], options, Ct);

        Assert.Equal(expected[..50].Order(), afterFailure.Order());
        Assert.Equal(50, rerun.PagesRead);
        Assert.Equal(expected.Order(), (await ReadBackKeysAsync()).Order());
    }

    [Fact]
    public async Task Pipeline_AnotherSinkFails_BackendStillHoldsEveryPageReadDurably()
    {
        List<ScrapedPage> pages = TestPages.Create(60);
        var failing = new DelegatePageSink("failing", (batch, _) => batch.Any(p => p.Position >= 30) ? throw new IOException("injected") : ValueTask.CompletedTask);
        var options = new PipelineOptions { SinkDefaults = { BatchSize = 5, MaxRetries = 0, MaxBatchDelay = TimeSpan.FromMilliseconds(2) } };

        IPageSink sink = await CreateSinkAsync();
        var error = await Assert.ThrowsAsync<IOException>(() => pages.ToAsyncEnumerable().ToSinksAsync([sink, failing], options, Ct));

        Assert.True(PipelineResult.TryGetPartial(error, out PipelineResult? partial));
        Assert.True(partial.PagesRead >= 30);
        Assert.Equal(partial.PagesRead, partial.Sinks[0].PagesDurable);
        Assert.Equal(pages.Take((int)partial.PagesRead).Select(p => p.Key).Order(), (await ReadBackKeysAsync()).Order());
    }

    /// <summary>Wraps the sink under test and fails any batch holding the poison page, after writing the pages before it.</summary>
    private sealed class PoisonSink(IPageSink inner, string poisonKey) : IPageSink
    {
        public string Name => inner.Name;

        public async ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken = default)
        {
            int at = pages.ToList().FindIndex(p => p.Key == poisonKey);
            if (at < 0)
            {
                await inner.WriteAsync(pages, cancellationToken);
                return;
            }

            if (at > 0)
            {
                await inner.WriteAsync(pages.Take(at).ToList(), cancellationToken);
            }

            throw new ArgumentException("Document contains at least one immense term.");
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
