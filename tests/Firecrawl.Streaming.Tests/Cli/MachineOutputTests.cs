using System.Text.Json;
using Firecrawl.Streaming.Cli;
using Firecrawl.Streaming.Cli.IO;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary>What scripts read: <c>--json</c> summaries and search hits, output without colour when asked, and <c>FIRECRAWL_API_URL</c>.</summary>
public sealed class MachineOutputTests : FakeServerTestBase, IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private Dictionary<string, string?> Environment(string? apiUrl = null) => new()
    {
        ["FIRECRAWL_API_KEY"] = Server.ApiKey,
        ["FIRECRAWL_API_URL"] = apiUrl,
    };

    private string[] Batch(FakeJob job, params string[] more) =>
        ["batch", job.Id, "--api-url", Server.BaseAddress.ToString(), "--poll-interval", "10ms", .. more];

    [Fact]
    public async Task Batch_Json_PrintsOneObjectWithTheSummaryAndCoverage()
    {
        FakeJob job = Server.AddJob(Pages(45), new FakeJobOptions { PageLimit = 20, ScrapingRequests = 2 });
        string jsonl = _directory.Combine("pages.jsonl");

        CliResult result = await CliRun.RunAsync(Batch(job, "--to", $"jsonl:{jsonl}", "--json"), Environment(), Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        string line = Assert.Single(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using JsonDocument document = JsonDocument.Parse(line);
        JsonElement root = document.RootElement;
        Assert.Equal(job.Id, root.GetProperty("jobId").GetString());
        Assert.Equal("batchScrape", root.GetProperty("kind").GetString());
        Assert.Equal(0, root.GetProperty("exitCode").GetInt32());
        Assert.True(root.GetProperty("complete").GetBoolean());
        Assert.Equal("completed", root.GetProperty("status").GetString());
        JsonElement coverage = root.GetProperty("coverage");
        Assert.Equal(45, coverage.GetProperty("delivered").GetInt64());
        Assert.Equal(45, coverage.GetProperty("completed").GetInt64());
        Assert.Equal(0, coverage.GetProperty("unaccounted").GetInt64());
        Assert.Equal(File.ReadAllBytes(jsonl).Length, coverage.GetProperty("bytesReceived").GetInt64(), tolerance: 1_000_000);
        JsonElement sink = Assert.Single(root.GetProperty("sinks").EnumerateArray());
        Assert.Equal($"jsonl:{jsonl}", sink.GetProperty("name").GetString());
        Assert.Equal(45, sink.GetProperty("pagesWritten").GetInt64());
        Assert.DoesNotContain(Server.ApiKey, result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_JsonWithPagesOnStdout_ExitsTwoBeforeAnyRequest()
    {
        FakeJob job = Server.AddJob(Pages(5));

        CliResult result = await CliRun.RunAsync(Batch(job, "--to", "jsonl:-", "--json"), Environment(), Ct);

        result.AssertOneSentenceError(2);
        Assert.Contains("--json prints the summary on standard output", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task Batch_FirecrawlApiUrlSet_UsedWhenNoApiUrlIsGiven()
    {
        FakeJob job = Server.AddJob(Pages(12));
        string jsonl = _directory.Combine("env.jsonl");

        CliResult result = await CliRun.RunAsync(["batch", job.Id, "--to", $"jsonl:{jsonl}"], Environment(Server.BaseAddress.ToString()), Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(12, File.ReadAllLines(jsonl).Length);
        Assert.NotEmpty(Server.Requests);
    }

    [Fact]
    public async Task Batch_FirecrawlApiUrlNotAUrl_ExitsTwoNamingTheVariable()
    {
        CliResult result = await CliRun.RunAsync(["batch", "some-job", "--to", $"jsonl:{_directory.Combine("x.jsonl")}"], Environment("not a url"), Ct);

        result.AssertOneSentenceError(2);
        Assert.Contains("FIRECRAWL_API_URL \"not a url\" is not an http or https URL", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_CheckpointEveryZero_RefusedByTheParser()
    {
        CliResult result = await CliRun.RunAsync(["batch", "some-job", "--to", "jsonl:x.jsonl", "--checkpoint-every", "0"], Environment(), Ct);

        result.AssertOneSentenceError(2);
        Assert.Contains("--checkpoint-every must be at least 1, not 0", result.Stderr, StringComparison.Ordinal);
    }

    private async Task<string> IndexAsync()
    {
        FakeJob job = Server.AddJob(FakePageGenerator.Generate(40));
        string index = _directory.Combine("index");
        CliResult written = await CliRun.RunAsync(Batch(job, "--to", $"lucene:{index}"), Environment(), Ct);
        Assert.True(written.ExitCode == 0, written.Stderr);
        return index;
    }

    [Fact]
    public async Task Search_Json_WritesOneObjectPerHit()
    {
        string index = await IndexAsync();

        CliResult result = await CliRun.RunAsync(["search", index, "sink", "--top", "5", "--json"], cancellationToken: Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        string[] lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            using JsonDocument hit = JsonDocument.Parse(lines[i]);
            Assert.Equal(i + 1, hit.RootElement.GetProperty("rank").GetInt32());
            Assert.StartsWith("https://", hit.RootElement.GetProperty("url").GetString(), StringComparison.Ordinal);
            Assert.True(hit.RootElement.GetProperty("score").GetDouble() > 0);
            Assert.False(string.IsNullOrEmpty(hit.RootElement.GetProperty("key").GetString()));
            Assert.DoesNotContain("**", hit.RootElement.GetProperty("snippet").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData("1", null, false)]
    [InlineData(null, "dumb", false)]
    [InlineData("", "xterm-256color", true)]
    public async Task Search_OnATerminal_ColoursUnlessNoColorOrDumbTerminal(string? noColor, string? term, bool coloured)
    {
        string index = await IndexAsync();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var console = new CliConsole(stdout, stderr, new Dictionary<string, string?> { ["NO_COLOR"] = noColor, ["TERM"] = term }, outputIsTerminal: true);

        int code = await FcstreamApp.RunAsync(["search", index, "sink", "--top", "3"], console, Ct);

        Assert.True(code == 0, stderr.ToString());
        Assert.Contains("https://", stdout.ToString(), StringComparison.Ordinal);
        Assert.Equal(coloured, stdout.ToString().Contains('\u001b', StringComparison.Ordinal));
        Assert.DoesNotContain('\uE000', stdout.ToString());
    }
}
