using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Firecrawl.Streaming.Sinks.Lucene;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks.JsonLines;

namespace Firecrawl.Streaming.Tests.Cli;

[Collection(AzuriteGroup.Name)]
public class BatchCommandTests(AzuriteFixture azurite) : CliTestBase
{
    private FakeBatchJob Job(int pages = 60) => Server.AddJob(Pages(pages), new FakeJobOptions { PageLimit = 25, ScrapingRequests = 2 });

    [Fact]
    public async Task Batch_IntoJsonlMarkdownAndLucene_WritesEveryPageAndExitsZero()
    {
        FakeBatchJob job = Job();
        string jsonl = Temp.Combine("out/pages.jsonl");

        Run run = await RunAsync(Batch(job.Id, "--to", $"jsonl:{jsonl}", "--to", $"md:{Temp.Combine("md")}", "--to", $"lucene:{Temp.Combine("index")}"));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(Range(60).Select(TestPages.ScrapeId).Order(), JsonLinesFile.ReadKeys(jsonl).Order());
        Assert.Equal(60, Directory.GetFiles(Temp.Combine("md"), "*.md").Length);
        using (LuceneIndex index = LuceneIndex.Open(Temp.Combine("index")))
        {
            Assert.Equal(60, index.Count);
        }

        Assert.Contains("all accounted for", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("sink name=jsonl:", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_JsonlToStandardOutput_PrintsOneLinePerPageAndKeepsStdoutClean()
    {
        FakeBatchJob job = Job(30);

        Run run = await RunAsync(Batch(job.Id, "--to", "jsonl:-", "--fields", "markdown,metadata"));

        Assert.Equal(0, run.ExitCode);
        string[] lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(30, lines.Length);
        ScrapedPage first = ScrapedPage.Parse(Encoding.UTF8.GetBytes(lines[0]));
        Assert.NotNull(first.Markdown);
        Assert.Empty(first.Links); // not selected, so not written
        Assert.DoesNotContain("progress", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_IntoBlob_UploadsEveryPage()
    {
        FakeBatchJob job = Job(20);
        string connection = azurite.ConnectionString;
        string container = "cli" + Guid.NewGuid().ToString("N");
        Dictionary<string, string?> environment = Environment();
        environment["AZURE_STORAGE_CONNECTION_STRING"] = connection;

        Run run = await RunAsync(environment, Ct, Batch(job.Id, "--to", $"blob:{container}/crawl"));

        Assert.Equal(0, run.ExitCode);
        var names = new List<string>();
        await foreach (BlobItem item in new BlobContainerClient(connection, container).GetBlobsAsync(cancellationToken: Ct))
        {
            names.Add(item.Name);
        }

        Assert.Equal(20, names.Count);
        Assert.All(names, n => Assert.StartsWith("crawl/", n, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Batch_CancelledMidwayThenRerunWithCheckpoint_EveryPageExactlyOnce()
    {
        FakeBatchJob job = Server.AddJob(Pages(400), new FakeJobOptions { PageLimit = 10, Latency = TimeSpan.FromMilliseconds(50) });
        string jsonl = Temp.Combine("pages.jsonl");
        string checkpoint = Temp.Combine("run.checkpoint");
        string[] args = Batch(job.Id, "--to", $"jsonl:{jsonl}", "--checkpoint", checkpoint);

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(1500));
        Run first = await RunAsync(Environment(), cancel.Token, args);

        AssertOneClearSentence(first, 130, "Cancelled; run the same command again to resume");
        Assert.True(File.Exists(checkpoint));
        int written = JsonLinesFile.ReadKeys(jsonl).Count;
        Assert.InRange(written, 1, 399);

        Run second = await RunAsync(args);

        Assert.Equal(0, second.ExitCode);
        Assert.Equal(Range(400).Select(TestPages.ScrapeId).Order(), JsonLinesFile.ReadKeys(jsonl).Order());
    }

    [Theory]
    [InlineData("ftp:/tmp/x", "Unknown sink \"ftp:/tmp/x\"")]
    [InlineData("jsonl:", "names no target")]
    public async Task Batch_BadSink_ExitsWithUsageSentence(string sink, string expected)
    {
        Run run = await RunAsync(Batch(Job(1).Id, "--to", sink));

        AssertOneClearSentence(run, 2, expected);
    }

    [Fact]
    public async Task Batch_UnknownField_ExitsWithUsageSentence()
    {
        Run run = await RunAsync(Batch(Job(1).Id, "--to", $"jsonl:{Temp.Combine("x.jsonl")}", "--fields", "markdown,bogus"));

        AssertOneClearSentence(run, 2, "Unknown field \"bogus\"");
    }

    [Fact]
    public async Task Batch_NoToOption_ExitsWithUsageSentence()
    {
        Run run = await RunAsync(Batch(Job(1).Id));

        AssertOneClearSentence(run, 2, "--to");
    }

    [Fact]
    public async Task Batch_MissingKey_ExitsNamingTheEnvironmentVariable()
    {
        Run run = await RunAsync(new Dictionary<string, string?>(), Ct, Batch(Job(1).Id, "--to", $"jsonl:{Temp.Combine("x.jsonl")}"));

        AssertOneClearSentence(run, 2, "FIRECRAWL_API_KEY");
    }

    [Fact]
    public async Task Batch_WrongKey_Exits401WithoutPrintingTheKey()
    {
        Run run = await RunAsync(Environment("fc-not-the-key-1234"), Ct, Batch(Job(1).Id, "--to", $"jsonl:{Temp.Combine("x.jsonl")}"));

        AssertOneClearSentence(run, 3, "rejected the API key (401)");
        Assert.DoesNotContain("fc-not-the-key-1234", run.Stderr + run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_ExpiredJob_ExitsWithTheServersMessage()
    {
        FakeBatchJob job = Job(5);
        job.Faults.Enqueue(FakeFault.Expired());

        Run run = await RunAsync(Batch(job.Id, "--to", $"jsonl:{Temp.Combine("x.jsonl")}"));

        AssertOneClearSentence(run, 3, "Job expired");
    }

    [Fact]
    public async Task Batch_UnreachableApi_ExitsSayingSo()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        Run run = await RunAsync(["batch", Guid.NewGuid().ToString(), "--to", $"jsonl:{Temp.Combine("x.jsonl")}", "--api-url", $"http://127.0.0.1:{port}", "--max-retries", "0"]);

        AssertOneClearSentence(run, 3, "could not be reached");
    }

    [Fact]
    public async Task Batch_SinkFails_ExitsWithSinkSentence()
    {
        string blocked = Temp.Combine("file-not-dir");
        await File.WriteAllTextAsync(blocked, "x", Ct);

        Run run = await RunAsync(Batch(Job(5).Id, "--to", $"jsonl:{Path.Combine(blocked, "pages.jsonl")}"));

        AssertOneClearSentence(run, 4, "A sink failed");
    }
}
