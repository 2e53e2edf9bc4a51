using System.Text;
using System.Text.Json;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary><c>fcstream scrape</c>, <c>crawl</c>, <c>cancel</c>, <c>errors</c> and <c>retry-failed</c> against the testing kit.</summary>
[Collection(nameof(Firecrawl.Streaming.Tests.Client.ProcessStateTests))]
public sealed class LifecycleCommandTests : FakeServerTestBase, IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string[] Command(params string[] args) => [.. args, "--api-url", Server.BaseAddress.ToString()];

    private string[] Streaming(params string[] args) => [.. Command(args), "--poll-interval", "20ms"];

    private Dictionary<string, string?> Environment() => new() { ["FIRECRAWL_API_KEY"] = Server.ApiKey };

    private static string[] JsonlUrls(string path) =>
        [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => PageParser.Parse(Encoding.UTF8.GetBytes(l)).Metadata.SourceUrl!)];

    private static string[] JsonlKeys(string path) =>
        [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => PageParser.Parse(Encoding.UTF8.GetBytes(l)).Key)];

    private List<RecordedRequest> Posts() => [.. Server.Requests.Where(r => r.Method == "POST")];

    [Fact]
    public async Task Scrape_UrlFile_OnePostWithTheUrlsAndAUuidKeyThenEveryPageOnceInOrder()
    {
        string[] urls = [.. Enumerable.Range(0, 40).Select(i => $"https://site.example/page/{i}")];
        string list = _directory.Combine("urls.txt");
        File.WriteAllLines(list, ["# a comment", .. urls, ""]);
        string output = _directory.Combine("pages.jsonl");

        CliResult result = await CliRun.RunAsync(Streaming("scrape", "--urls", list, "--format", "markdown,links", "--to", $"jsonl:{output}"), Environment(), Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        RecordedRequest post = Assert.Single(Posts());
        Assert.Equal("/v2/batch/scrape", post.Path);
        Assert.True(Guid.TryParse(post.IdempotencyKey, out _), post.IdempotencyKey);
        using JsonDocument body = JsonDocument.Parse(post.Body!);
        Assert.Equal(urls, body.RootElement.GetProperty("urls").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal(["markdown", "links"], body.RootElement.GetProperty("formats").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(urls, JsonlUrls(output));
        Assert.Equal(urls.Length, JsonlKeys(output).Distinct().Count());
        Assert.Contains("Started batch scrape ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_UrlsFromStandardInput_StartsAndStreams()
    {
        string output = _directory.Combine("stdin.jsonl");

        CliResult result = await CliRun.RunWithInputAsync(Streaming("scrape", "--urls", "-", "--to", $"jsonl:{output}", "-q"), "https://a.example/1\nhttps://a.example/2\n", Environment(), Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(["https://a.example/1", "https://a.example/2"], JsonlUrls(output));
    }

    [Fact]
    public async Task Crawl_Url_OnePostToCrawlWithTheLimitThenEveryPageOnceInOrder()
    {
        string output = _directory.Combine("crawl.jsonl");

        CliResult result = await CliRun.RunAsync(
            Streaming("crawl", "https://docs.example.com", "--limit", "12", "--include-paths", "^/docs/.*", "--max-depth", "3", "--to", $"jsonl:{output}"),
            Environment(),
            Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        RecordedRequest post = Assert.Single(Posts());
        Assert.Equal("/v2/crawl", post.Path);
        Assert.True(Guid.TryParse(post.IdempotencyKey, out _));
        using JsonDocument body = JsonDocument.Parse(post.Body!);
        Assert.Equal("https://docs.example.com/", body.RootElement.GetProperty("url").GetString());
        Assert.Equal(12, body.RootElement.GetProperty("limit").GetInt32());
        Assert.Equal(3, body.RootElement.GetProperty("maxDiscoveryDepth").GetInt32());
        Assert.Equal("^/docs/.*", body.RootElement.GetProperty("includePaths")[0].GetString());
        FakeJob crawl = Assert.Single(Server.StartedJobs);
        Assert.Equal(crawl.Pages.Select(p => PageParser.Parse(p).Key), JsonlKeys(output));
        Assert.Equal(12, JsonlKeys(output).Length);
        Assert.All(Server.Requests.Where(r => r.Method == "GET"), r => Assert.StartsWith($"/v2/crawl/{crawl.Id}", r.Path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadmeCrawlLine_RunsAsWrittenAndAgainFromItsCheckpoint()
    {
        string previous = System.Environment.CurrentDirectory;
        System.Environment.CurrentDirectory = _directory.Path;
        try
        {
            // The README's line, pointed at the fake server; the second run finds the job in the checkpoint.
            string[] line = Command("crawl", "https://docs.example.com", "--limit", "200", "--to", "jsonl:pages.jsonl", "--to", "lucene:./index", "--checkpoint", "crawl.ckpt");
            CliResult first = await CliRun.RunAsync([.. line, "--poll-interval", "20ms"], Environment(), Ct);
            CliResult again = await CliRun.RunAsync([.. line, "--poll-interval", "20ms"], Environment(), Ct);

            Assert.True(first.ExitCode == 0, first.Stderr);
            Assert.True(again.ExitCode == 0, again.Stderr);
            FakeJob crawl = Assert.Single(Server.StartedJobs);
            Assert.Single(Posts());
            Assert.Equal(crawl.PageCount, JsonlKeys(_directory.Combine("pages.jsonl")).Length);
            using var index = Firecrawl.Streaming.Sinks.Lucene.LuceneIndex.Open(_directory.Combine("index"));
            Assert.Equal(crawl.PageCount, index.Count);
        }
        finally
        {
            System.Environment.CurrentDirectory = previous;
        }
    }

    [Fact]
    public async Task Crawl_ExistingCrawlId_StreamsIt()
    {
        FakeJob crawl = Server.AddJob(Pages(30), new FakeJobOptions { Kind = FakeJobKind.Crawl, PageLimit = 7, ScrapingRequests = 2 });
        string output = _directory.Combine("existing.jsonl");

        CliResult result = await CliRun.RunAsync(Streaming("crawl", crawl.Id, "--to", $"jsonl:{output}"), Environment(), Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(Enumerable.Range(0, 30).Select(TestPages.ScrapeId), JsonlKeys(output));
        Assert.Empty(Posts());
    }

    [Fact]
    public async Task Crawl_IdWithStartOptions_ExitsTwo()
    {
        CliResult result = await CliRun.RunAsync(Streaming("crawl", "some-crawl-id", "--limit", "5", "--to", "jsonl:" + _directory.Combine("x.jsonl")), Environment(), Ct);

        result.AssertOneSentenceError(2, Server.ApiKey);
        Assert.Contains("--limit starts a crawl", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task Scrape_CheckpointOfAStartedJob_RerunResumesThatJobInsteadOfStartingAnother()
    {
        string list = _directory.Combine("urls.txt");
        File.WriteAllLines(list, Enumerable.Range(0, 30).Select(i => $"https://r.example/{i}"));
        string output = _directory.Combine("resume.jsonl");
        string checkpoint = _directory.Combine("job.checkpoint");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(
            new FakeServerOptions { StartedJobOptions = () => new FakeJobOptions { ScrapingRequests = 60, PageLimit = 5 } }, Ct);
        string[] Run(params string[] more) =>
            ["scrape", "--urls", list, "--to", $"jsonl:{output}", "--checkpoint", checkpoint, "--api-url", server.BaseAddress.ToString(), "--poll-interval", "20ms", .. more];
        var environment = new Dictionary<string, string?> { ["FIRECRAWL_API_KEY"] = server.ApiKey };

        // The first run is stopped while the job still scrapes; the second finishes the same job.
        Task<CliResult> first = CliRun.RunAsync(Run("--checkpoint-every", "1", "-q"), environment, stop.Token);
        while (!File.Exists(checkpoint) || !File.Exists(output) || File.ReadAllLines(output).Length < 3)
        {
            await Task.Delay(20, Ct);
        }

        stop.Cancel();
        Assert.Equal(130, (await first).ExitCode);
        CliResult second = await CliRun.RunAsync(Run(), environment, Ct);

        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Single(server.Requests, r => r.Method == "POST");
        Assert.Contains("Resuming batch scrape ", second.Stderr, StringComparison.Ordinal);
        Assert.Equal(30, JsonlKeys(output).Distinct().Count());
        Assert.Equal(30, JsonlKeys(output).Length);
    }

    [Fact]
    public async Task Cancel_RunningCrawlWithoutCrawlFlag_DetectsTheKindAndCancels()
    {
        FakeJob crawl = Server.AddJob(Pages(10), new FakeJobOptions { Kind = FakeJobKind.Crawl, ScrapingRequests = 1000 });

        CliResult result = await CliRun.RunAsync(Command("cancel", crawl.Id), Environment(), Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(crawl.IsCancelled);
        Assert.Contains($"Cancelled crawl {crawl.Id}", result.Stderr, StringComparison.Ordinal);
        Assert.Single(Server.Requests, r => r.Method == "DELETE" && r.Path == $"/v2/crawl/{crawl.Id}");
    }

    [Fact]
    public async Task Cancel_FinishedJob_ExitsThreeSayingItHadFinished()
    {
        FakeJob job = Server.AddJob(Pages(3));

        CliResult result = await CliRun.RunAsync(Command("cancel", job.Id), Environment(), Ct);

        result.AssertOneSentenceError(3, Server.ApiKey);
        Assert.Contains("409", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_Job_PrintsFailedAndRobotsBlockedUrls()
    {
        FakeJob job = Server.AddJob(Pages(3), new FakeJobOptions
        {
            Errors = [new FakeScrapeError("https://x.example/a", "Request timed out", "TIMEOUT")],
            RobotsBlocked = ["https://x.example/private"],
        });

        CliResult result = await CliRun.RunAsync(Command("errors", job.Id), Environment(), Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(["https://x.example/a\tRequest timed out", "https://x.example/private\tblocked by robots.txt"], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("1 failed, 1 blocked by robots.txt", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetryFailed_Crawl_StartsABatchOfTheFailedUrlsAndStreamsIt()
    {
        FakeJob crawl = Server.AddJob(Pages(5), new FakeJobOptions
        {
            Kind = FakeJobKind.Crawl,
            Errors = [new FakeScrapeError("https://x.example/a", "boom"), new FakeScrapeError("https://x.example/b", "boom")],
            RobotsBlocked = ["https://x.example/robots"],
        });
        string output = _directory.Combine("retry.jsonl");

        CliResult result = await CliRun.RunAsync(Streaming("retry-failed", crawl.Id, "--crawl", "--to", $"jsonl:{output}"), Environment(), Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        RecordedRequest post = Assert.Single(Posts());
        Assert.Equal("/v2/batch/scrape", post.Path);
        Assert.Equal(["https://x.example/a", "https://x.example/b"], JsonlUrls(output));
    }

    [Fact]
    public async Task Batch_JobEndedCancelled_DeliversEverythingThenExitsSeven()
    {
        FakeJob job = Server.AddJob(Pages(20), new FakeJobOptions { FinalStatus = "cancelled", PageLimit = 5 });
        string output = _directory.Combine("cancelled.jsonl");

        CliResult result = await CliRun.RunAsync(Streaming("batch", job.Id, "--to", $"jsonl:{output}", "-q"), Environment(), Ct);

        result.AssertOneSentenceError(7, Server.ApiKey);
        Assert.Contains("ended cancelled on the server", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(20, JsonlKeys(output).Length);
    }

    [Fact]
    public async Task Batch_PageUnaccountedFor_WritesEverythingThenExitsSixSayingHowToResume()
    {
        // Page 8 is page 7 served again under its scrape id, and no failure is listed: one page the job counts never arrives.
        FakeJob job = Server.AddJob(Enumerable.Range(0, 20).Select(i => TestPages.Json(i == 8 ? 7 : i)), new FakeJobOptions { PageLimit = 5 });
        string output = _directory.Combine("incomplete.jsonl");
        string checkpoint = _directory.Combine("incomplete.ckpt");

        CliResult result = await CliRun.RunAsync(Streaming("batch", job.Id, "--to", $"jsonl:{output}", "--checkpoint", checkpoint, "-q"), Environment(), Ct);

        result.AssertOneSentenceError(6, Server.ApiKey);
        Assert.Contains("1 of the 20 pages it reports completed are unaccounted for", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"resume from the checkpoint in {checkpoint}", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(19, JsonlKeys(output).Length);
        Assert.True(File.Exists(checkpoint));
    }

    [Fact]
    public async Task Scrape_AnswerLostAfterTheJobWasCreated_ExitsThreeWithTheKeyAndNeverPostsTwice()
    {
        string list = _directory.Combine("lost.txt");
        File.WriteAllLines(list, ["https://l.example/1", "https://l.example/2"]);
        Server.StartFaults.Enqueue(FakeStartFault.DropAfterCreate());

        CliResult result = await CliRun.RunAsync(Streaming("scrape", "--urls", list, "--to", "jsonl:" + _directory.Combine("lost.jsonl")), Environment(), Ct);

        result.AssertOneSentenceError(3, Server.ApiKey);
        RecordedRequest post = Assert.Single(Posts());
        Assert.Contains(post.IdempotencyKey!, result.Stderr, StringComparison.Ordinal);
        Assert.Contains("/v2/team/activity", result.Stderr, StringComparison.Ordinal);
    }
}
