using System.Text;
using Firecrawl.Streaming.Sinks.Lucene;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary><c>fcstream batch</c> against the fake server into each kind of file sink.</summary>
public sealed class BatchCommandTests : FakeServerTestBase, IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string[] Batch(FakeJob job, params string[] more) =>
        ["batch", job.Id, "--api-url", Server.BaseAddress.ToString(), "--poll-interval", "20ms", .. more];

    private Dictionary<string, string?> Environment() => new() { ["FIRECRAWL_API_KEY"] = Server.ApiKey };

    private FakeJob Job(int pages, int limit = 25) => Server.AddJob(Pages(pages), new FakeJobOptions { PageLimit = limit });

    private static string[] Keys(string jsonl) =>
        [.. File.ReadAllLines(jsonl).Where(l => l.Length > 0).Select(l => PageParser.Parse(Encoding.UTF8.GetBytes(l)).Key)];

    [Fact]
    public async Task Batch_JsonlFile_WritesEveryPageOnceAndExitsZero()
    {
        FakeJob job = Job(120);
        string path = _directory.Combine("out/pages.jsonl");

        CliResult result = await CliRun.RunAsync(Batch(job, "--to", $"jsonl:{path}"), Environment(), Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(Enumerable.Range(0, 120).Select(TestPages.ScrapeId), Keys(path));
        Assert.Contains($"summary sink=jsonl:{path} pages=120", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("done delivered=120 completed=120 status=completed", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Delivered 120 pages, matching the job's completed count", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task Batch_JsonlStdout_PagesGoToStdoutAndPlainLinesToStderr()
    {
        FakeJob job = Server.AddJob(Pages(60), new FakeJobOptions { PageLimit = 10, ScrapingRequests = 3 });

        CliResult result = await CliRun.RunAsync(Batch(job, "--to", "jsonl:-"), Environment(), Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        string[] lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, 60).Select(TestPages.ScrapeId), lines.Select(l => PageParser.Parse(Encoding.UTF8.GetBytes(l)).Key));
        Assert.Equal(job.Pages.Select(Encoding.UTF8.GetString), lines);
        Assert.Contains(result.StderrLines, l => l.StartsWith("progress pages=60 total=60 status=completed mb=", StringComparison.Ordinal));
        Assert.DoesNotContain('\u001b', result.Stderr);
    }

    [Fact]
    public async Task Batch_MarkdownDirectory_WritesOneFilePerPage()
    {
        FakeJob job = Job(40);
        string directory = _directory.Combine("md");

        CliResult result = await CliRun.RunAsync(Batch(job, "--to", $"md:{directory}", "--quiet"), Environment(), Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Empty(result.Stderr);
        string[] files = Directory.GetFiles(directory, "*.md", SearchOption.AllDirectories);
        Assert.Equal(40, files.Length);
        Assert.Contains(files, f => File.ReadAllText(f).Contains("Body of page 17 with", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Batch_LuceneThenSearch_IndexHoldsEveryPageAndSearchFindsOne()
    {
        FakeJob job = Server.AddJob(
            Enumerable.Range(0, 50).Select(i => TestPages.Json(i, markdown: i == 33 ? "# Zebra crossing\n\nA rare zebra appears here." : null)),
            new FakeJobOptions { PageLimit = 20 });
        string index = _directory.Combine("index");

        CliResult batch = await CliRun.RunAsync(Batch(job, "--to", $"lucene:{index}"), Environment(), Ct);
        CliResult search = await CliRun.RunAsync(["search", index, "zebra", "--top", "3"], cancellationToken: Ct);

        Assert.True(batch.ExitCode == 0, batch.Stderr);
        using (LuceneIndex opened = LuceneIndex.Open(index))
        {
            Assert.Equal(50, opened.Count);
        }

        Assert.True(search.ExitCode == 0, search.Stderr);
        string[] lines = search.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("1. Page 33  (score ", lines[0], StringComparison.Ordinal);
        Assert.Equal("https://example.com/page/33", lines[1]);
        Assert.Contains("**zebra**", lines[2], StringComparison.Ordinal);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public async Task Batch_FieldsMarkdownAndMetadata_WritesOnlyThoseFields()
    {
        FakeJob job = Job(10);
        string path = _directory.Combine("fields.jsonl");

        CliResult result = await CliRun.RunAsync(Batch(job, "--to", $"jsonl:{path}", "--fields", "markdown, metadata"), Environment(), Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        foreach (string line in File.ReadAllLines(path))
        {
            ScrapedPage page = PageParser.Parse(Encoding.UTF8.GetBytes(line));
            Assert.True(page.HasField("markdown"));
            Assert.True(page.HasField("metadata"));
            Assert.False(page.HasField("links"));
        }
    }

    [Fact]
    public async Task Batch_ApiKeyOption_OverridesEnvironmentAndIsNeverPrinted()
    {
        FakeJob job = Job(5);
        string path = _directory.Combine("key.jsonl");

        CliResult result = await CliRun.RunAsync(
            Batch(job, "--to", $"jsonl:{path}", "--api-key", Server.ApiKey),
            new Dictionary<string, string?> { ["FIRECRAWL_API_KEY"] = "fc-some-other-key" },
            Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(5, Keys(path).Length);
        Assert.DoesNotContain(Server.ApiKey, result.Stderr, StringComparison.Ordinal);
        Assert.All(Server.Requests, r => Assert.Equal($"Bearer {Server.ApiKey}", r.Authorization));
    }

    [Fact]
    public async Task Batch_DuplicateServedPage_ReconciliationListsTheFailedUrls()
    {
        // Page 7 is served twice under one scrape id: the stream drops the copy, so one page fewer arrives than
        // the job counts as completed, and the summary turns to the errors endpoint.
        FakeJob job = Server.AddJob(
            Enumerable.Range(0, 20).Select(i => TestPages.Json(i == 8 ? 7 : i)),
            new FakeJobOptions { PageLimit = 5, Errors = [new FakeScrapeError("https://example.com/broken", "Request timed out", "TIMEOUT")] });
        string path = _directory.Combine("reconcile.jsonl");

        CliResult result = await CliRun.RunAsync(Batch(job, "--to", $"jsonl:{path}"), Environment(), Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("done delivered=19 completed=20", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Delivered 19 pages but the job reports 20 completed (status completed); the 1 failed URLs account for the rest:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("failed url=https://example.com/broken error=\"Request timed out\"", result.Stderr, StringComparison.Ordinal);
    }
}
