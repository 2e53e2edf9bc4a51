using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Sinks.Lucene;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Client;

/// <summary>Tests that change the process's working directory or environment run alone.</summary>
[CollectionDefinition(nameof(ProcessStateTests), DisableParallelization = true)]
public sealed class ProcessStateTests;

/// <summary>The README's examples, run as written against the fake server.</summary>
[Collection(nameof(ProcessStateTests))]
public class ReadmeExampleTests : FakeServerTestBase
{
    [Fact]
    public async Task ReadmeExample_RunsAsWritten()
    {
        FakeJob job = Server.AddJob(FakePageGenerator.Generate(30), new FakeJobOptions { PageLimit = 10 });
        var output = new StringWriter();
        string? savedKey = Environment.GetEnvironmentVariable("FIRECRAWL_API_KEY");
        Environment.SetEnvironmentVariable("FIRECRAWL_API_KEY", Server.ApiKey);
        try
        {
            // The README's lines, with the fake server's address and a captured console.
            using var client = new FirecrawlJobClient(new FirecrawlJobClientOptions { BaseAddress = Server.BaseAddress });
            JobPages pages = client.StreamBatchScrapeAsync(job.Id);
            await foreach (ScrapedPage page in pages)
            {
                output.WriteLine($"#{page.Position} {page.Metadata.StatusCode} {page.Url} — {page.Metadata.Title}");
                output.WriteLine($"   {page.Markdown?.Length ?? 0} chars; job {pages.Status?.Status}: {pages.Status?.Completed}/{pages.Status?.Total}");
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("FIRECRAWL_API_KEY", savedKey);
        }

        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(60, lines.Length);
        Assert.StartsWith("#0 ", lines[0], StringComparison.Ordinal);
        Assert.Contains("job completed: 30/30", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadmeCrawlExample_StartsACrawlAndStreamsItWhileItRuns()
    {
        var output = new StringWriter();
        using var client = new FirecrawlJobClient(Server.CreateClientOptions());

        // The README's lines, with a captured console.
        JobPages pages = await client.StartCrawlAndStreamAsync(new CrawlRequest
        {
            Url = "https://docs.example.com",
            Limit = 200,
            ScrapeOptions = new PageScrapeOptions { Formats = ["markdown", ScrapeFormat.Links], OnlyMainContent = true },
        });
        var statuses = new List<string?>();
        await foreach (ScrapedPage page in pages) // pages arrive while the crawl is still running
        {
            output.WriteLine($"{page.Url}: {page.Markdown?.Length} chars ({pages.Status?.Completed}/{pages.Status?.Total})");
            statuses.Add(pages.Status?.Status);
        }

        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        FakeJob crawl = Assert.Single(Server.StartedJobs);
        Assert.Equal(FakeJobKind.Crawl, crawl.Kind);
        Assert.Equal(crawl.PageCount, lines.Length);
        Assert.Contains("scraping", statuses);
        Assert.StartsWith("https://docs.example.com/", lines[0], StringComparison.Ordinal);
        Assert.Single(Server.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task ReadmeSinksExample_RunsAsWrittenAndResumesFromTheCheckpoint()
    {
        FakeJob job = Server.AddJob(FakePageGenerator.Generate(40), new FakeJobOptions { PageLimit = 15 });
        using var directory = new Sinks.TempDirectory();
        string previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = directory.Path;
        try
        {
            for (int run = 0; run < 2; run++)
            {
                // The README's lines, with the fake server's options.
                using var client = new FirecrawlJobClient(Server.CreateClientOptions());
                PipelineResult result = await client.StreamJobToSinksAsync(JobKind.BatchScrape, 
                    job.Id,
                    [new JsonLinesSink("pages.jsonl"), new LuceneIndexSink("./index")],
                    new PipelineOptions { Checkpoint = new FileCheckpointStore("job.checkpoint") });
                Assert.Equal(run == 0 ? 40 : 0, result.PagesRead);
            }
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }

        Assert.Equal(40, File.ReadAllLines(directory.Combine("pages.jsonl")).Length);
        using LuceneIndex index = LuceneIndex.Open(directory.Combine("index"));
        Assert.Equal(40, index.Count);
    }

    [Fact]
    public async Task ReadmeCustomSink_WorksInThePipeline()
    {
        FakeJob job = Server.AddJob(FakePageGenerator.Generate(12));
        using var client = new FirecrawlJobClient(Server.CreateClientOptions());
        var sink = new ConsoleTitlesSink();

        PipelineResult result = await client.StreamBatchScrapeAsync(job.Id).ToSinksAsync([sink], null, Ct);

        Assert.Equal(12, result.Sinks[0].PagesWritten);
    }

    private sealed class ConsoleTitlesSink : IPageSink
    {
        public string Name => "titles";

        public ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken = default)
        {
            foreach (ScrapedPage page in pages)
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"{page.Key} {page.Metadata.Title}");
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
