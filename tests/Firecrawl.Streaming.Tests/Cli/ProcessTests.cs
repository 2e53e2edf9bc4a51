using System.Diagnostics;
using System.Text;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary>
/// The built tool as a real process: its own console streams (pages piped through standard output, which is
/// redirected so progress falls back to plain lines), a real SIGINT, as Ctrl+C sends it, and a real SIGTERM, as a service
/// manager sends it.
/// </summary>
public sealed class ProcessTests : FakeServerTestBase, IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private Process Start(params string[] args)
    {
        string tool = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "fcstream.exe" : "fcstream");
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Only the child's environment: the test process's own stays untouched.
        start.Environment["FIRECRAWL_API_KEY"] = Server.ApiKey;
        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {tool}.");
    }

    private static async Task<(int Code, string Stdout, string Stderr)> FinishAsync(Process process, Task<string> stdout, Task<string> stderr)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Process_JsonlToStdout_PipesEveryPageAndPrintsPlainProgress()
    {
        FakeJob job = Server.AddJob(Pages(200), new FakeJobOptions { PageLimit = 30, ScrapingRequests = 3 });
        using Process process = Start("batch", job.Id, "--to", "jsonl:-", "--api-url", Server.BaseAddress.ToString(), "--poll-interval", "20ms");

        (int code, string stdout, string stderr) = await FinishAsync(process, process.StandardOutput.ReadToEndAsync(Ct), process.StandardError.ReadToEndAsync(Ct));

        Assert.True(code == 0, stderr);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(job.Pages.Select(Encoding.UTF8.GetString), lines);
        Assert.Contains("done delivered=200 completed=200 status=completed", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', stderr);
        Assert.DoesNotContain(Server.ApiKey, stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task Process_Signal_StopsCleanlyWithItsExitCodeLeavingACheckpointThatResumes(string signalName, int expected)
    {
        FakeJob job = Server.AddJob(Pages(400), new FakeJobOptions { PageLimit = 10, Latency = TimeSpan.FromMilliseconds(20) });
        string jsonl = _directory.Combine("pages.jsonl");
        string checkpoint = _directory.Combine("job.checkpoint");
        string[] args =
        [
            "batch", job.Id, "--to", $"jsonl:{jsonl}", "--checkpoint", checkpoint, "--checkpoint-every", "20",
            "--api-url", Server.BaseAddress.ToString(), "--poll-interval", "10ms",

            // Chunks of the job's page size, so the run lasts long enough (40 requests) to be interrupted.
            "--chunk-limit", "10",
        ];

        using Process first = Start(args);
        Task<string> stdout = first.StandardOutput.ReadToEndAsync(Ct);
        Task<string> stderr = first.StandardError.ReadToEndAsync(Ct);
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            wait.CancelAfter(TimeSpan.FromSeconds(30));
            while (!File.Exists(checkpoint))
            {
                if (first.HasExited)
                {
                    Assert.Fail("The run ended before it could be interrupted: " + await stderr);
                }

                await Task.Delay(10, wait.Token);
            }
        }

        using (Process signal = Process.Start("kill", ["-" + signalName, first.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await signal.WaitForExitAsync(Ct);
        }

        (int code, _, string error) = await FinishAsync(first, stdout, stderr);
        CliResult resumed = await CliRun.RunAsync(args, new Dictionary<string, string?> { ["FIRECRAWL_API_KEY"] = Server.ApiKey }, Ct);

        Assert.True(code == expected, $"exit code {code}: {error}");
        Assert.Matches(@"error: Cancelled after \d+ pages; run the same command again to resume from the checkpoint in ", error);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Matches(@"Delivered 400 pages \(\d+ in this run, after the checkpoint\)", resumed.Stderr);
        string[] keys = [.. File.ReadAllLines(jsonl).Where(l => l.Length > 0).Select(l => PageParser.Parse(Encoding.UTF8.GetBytes(l)).Key)];
        Assert.Equal(Enumerable.Range(0, 400).Select(TestPages.ScrapeId), keys);
    }
}
