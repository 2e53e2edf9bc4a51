using System.Text;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary>Ctrl+C midway, then the same command again: every page ends up in the file exactly once.</summary>
public sealed class BatchResumeTests : FakeServerTestBase, IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Batch_CancelledMidwayThenRunAgain_EveryPageExactlyOnce()
    {
        // Slow responses of 10 pages each make "midway" last long enough to cancel in.
        FakeJob job = Server.AddJob(Pages(300), new FakeJobOptions { PageLimit = 10, Latency = TimeSpan.FromMilliseconds(15) });
        string jsonl = _directory.Combine("pages.jsonl");
        string checkpoint = _directory.Combine("job.checkpoint");
        string[] args =
        [
            "batch", job.Id, "--to", $"jsonl:{jsonl}", "--checkpoint", checkpoint, "--checkpoint-every", "20",
            "--api-url", Server.BaseAddress.ToString(), "--poll-interval", "10ms", "--chunk-limit", "10",
        ];
        var environment = new Dictionary<string, string?> { ["FIRECRAWL_API_KEY"] = Server.ApiKey };

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        Task<CliResult> first = CliRun.RunAsync(args, environment, cancel.Token);
        await WaitUntilAsync(() => File.Exists(checkpoint) && LineCount(jsonl) >= 60, first);
        await cancel.CancelAsync();
        CliResult cancelled = await first;
        int requestsBefore = Server.Requests.Count;
        long linesAfterCancel = LineCount(jsonl);

        CliResult resumed = await CliRun.RunAsync(args, environment, Ct);

        Assert.Equal(130, cancelled.ExitCode);
        string sentence = Assert.Single(cancelled.StderrLines, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Matches(@"^error: Cancelled after \d+ pages; run the same command again to resume from the checkpoint in .+\.$", sentence);
        Assert.DoesNotContain("   at ", cancelled.Stderr, StringComparison.Ordinal);
        Assert.InRange(linesAfterCancel, 60, 299);

        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Matches(@"Delivered 300 pages \(\d+ in this run, after the checkpoint\), matching the job's completed count", resumed.Stderr);
        Assert.Contains("done delivered=300 completed=300", resumed.Stderr, StringComparison.Ordinal);
        string firstQuery = Server.Requests[requestsBefore].Query;
        Assert.Matches(@"skip=[1-9]\d*", firstQuery);

        string[] keys = [.. File.ReadAllLines(jsonl).Where(l => l.Length > 0).Select(l => PageParser.Parse(Encoding.UTF8.GetBytes(l)).Key)];
        Assert.Equal(Enumerable.Range(0, 300).Select(TestPages.ScrapeId), keys);
    }

    private static long LineCount(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            long lines = 0;
            int b;
            while ((b = stream.ReadByte()) >= 0)
            {
                lines += b == '\n' ? 1 : 0;
            }

            return lines;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Task<CliResult> run)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            Assert.False(run.IsCompleted, "The run ended before it could be cancelled: " + (run.IsCompletedSuccessfully ? run.Result.Stderr : "faulted"));
            await Task.Delay(5, timeout.Token);
        }
    }
}
