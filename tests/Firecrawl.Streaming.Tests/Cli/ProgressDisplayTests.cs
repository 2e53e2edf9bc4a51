using System.Text.RegularExpressions;
using Firecrawl.Streaming.Cli;
using Firecrawl.Streaming.Cli.IO;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary>Which display a run gets, and what the animated one draws on a terminal.</summary>
public sealed partial class ProgressDisplayTests : FakeServerTestBase, IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private async Task<(int Code, string Stdout, string Stderr)> RunOnTerminalAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var console = new CliConsole(stdout, stderr, new Dictionary<string, string?> { ["FIRECRAWL_API_KEY"] = Server.ApiKey }, errorIsTerminal: true);
        int code = await FcstreamApp.RunAsync(args, console, Ct);
        return (code, stdout.ToString(), Ansi().Replace(stderr.ToString(), string.Empty));
    }

    [Fact]
    public async Task Batch_StderrIsATerminal_DrawsLiveProgressAndSummaryTable()
    {
        FakeJob job = Server.AddJob(Pages(80), new FakeJobOptions { PageLimit = 10, ScrapingRequests = 4 });
        string path = _directory.Combine("live.jsonl");

        (int code, string stdout, string stderr) = await RunOnTerminalAsync(
            "batch", job.Id, "--to", $"jsonl:{path}", "--api-url", Server.BaseAddress.ToString(), "--poll-interval", "10ms");

        Assert.True(code == 0, stderr);
        Assert.Empty(stdout);
        Assert.Contains("80 / 80 pages", stderr, StringComparison.Ordinal);
        Assert.Contains("MB received", stderr, StringComparison.Ordinal);
        Assert.Matches(@"Sink\s+│?\s*Written\s+│?\s*Queue", stderr);
        Assert.Contains("Summary", stderr, StringComparison.Ordinal);
        Assert.Matches(@"│ jsonl:/\S*\s+│\s+80 │", stderr);
        Assert.Contains("Delivered 80 pages, matching the job's completed count (status completed).", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("progress pages=", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_StdoutSinkOnATerminal_FallsBackToPlainLines()
    {
        FakeJob job = Server.AddJob(Pages(15));

        (int code, string stdout, string stderr) = await RunOnTerminalAsync(
            "batch", job.Id, "--to", "jsonl:-", "--api-url", Server.BaseAddress.ToString());

        Assert.True(code == 0, stderr);
        Assert.Equal(15, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("progress pages=15 total=15 status=completed", stderr, StringComparison.Ordinal);
        Assert.Contains("summary sink=jsonl:- pages=15", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_Quiet_PrintsNothingOnSuccess()
    {
        FakeJob job = Server.AddJob(Pages(15));

        (int code, string stdout, string stderr) = await RunOnTerminalAsync(
            "batch", job.Id, "--to", $"md:{_directory.Combine("md")}", "--api-url", Server.BaseAddress.ToString(), "-q");

        Assert.Equal(0, code);
        Assert.Empty(stdout);
        Assert.Empty(stderr);
    }

    [GeneratedRegex(@"\u001b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex Ansi();
}
