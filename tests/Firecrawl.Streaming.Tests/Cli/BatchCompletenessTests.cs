using System.Text;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary>
/// <c>fcstream batch</c> against each misbehaviour of the server: it either delivers every page exactly once and exits
/// 0, or exits non-zero with one sentence having written and checkpointed what it received, and a rerun with the same
/// checkpoint then completes the job with every page exactly once. It never exits 0 with a page missing.
/// </summary>
public sealed class BatchCompletenessTests : FakeServerTestBase, IDisposable
{
    private const int PageCount = 60;
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    public static TheoryData<string> Faults() =>
    [
        "late-commit", "late-commits-while-scraping", "self-referencing-next", "cut-body", "empty-body", "dropped", "invalid-utf8",
        "redirect-elsewhere", "malformed", "revoked-key", "html", "duplicates",
    ];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Batch_ServerMisbehaves_EveryPageOnceOrLoudWithWhatWasReceivedSaved(string fault)
    {
        FakeJob job = Server.AddJob(Pages(PageCount), new FakeJobOptions
        {
            PageLimit = 10,

            // Late rows commit while the job runs: a finished job's listing no longer changes.
            ScrapingRequests = fault == "late-commits-while-scraping" ? 6 : 0,
            LateCommits = fault switch
            {
                "late-commit" => [new FakeLateCommit(15, RevealAfterSkip: 30)],
                "late-commits-while-scraping" => [new FakeLateCommit(3, RevealAfterSkip: 10), new FakeLateCommit(12, RevealAfterSkip: 20)],
                _ => [],
            },
        });
        await using FakeFirecrawlServer elsewhere = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);
        FakeFault? injected = fault switch
        {
            "self-referencing-next" => FakeFault.SelfReferencingNext(),
            "cut-body" => FakeFault.CutBody(700),
            "empty-body" => FakeFault.EmptyBody(),
            "dropped" => FakeFault.DropAfterBytes(900),
            "invalid-utf8" => FakeFault.InvalidUtf8(),
            "redirect-elsewhere" => FakeFault.Redirect(new Uri(elsewhere.BaseAddress, $"v2/batch/scrape/{job.Id}?skip=30")),
            "malformed" => FakeFault.MalformedJson(),
            "html" => FakeFault.Html(),
            "duplicates" => FakeFault.DuplicatePages(3),
            _ => null,
        };
        if (injected is not null)
        {
            job.Faults.Enqueue(injected, atSkip: 30);
        }

        string output = _directory.Combine("pages.jsonl");
        string checkpoint = _directory.Combine("job.ckpt");
        string[] args = ["batch", job.Id, "--to", $"jsonl:{output}", "--checkpoint", checkpoint, "--checkpoint-every", "5", "--api-url", Server.BaseAddress.ToString(), "--poll-interval", "20ms", "--max-retries", "3", "-q",

            // Chunks of the job's page size (10), which places each scripted fault and late commit at its cursor.
            "--chunk-limit", "10"];
        var environment = new Dictionary<string, string?> { ["FIRECRAWL_API_KEY"] = Server.ApiKey };
        Task<CliResult> running = CliRun.RunAsync(args, environment, Ct);
        if (fault == "revoked-key")
        {
            while (job.StatusRequests < 3)
            {
                await Task.Delay(5, Ct);
            }

            environment["FIRECRAWL_API_KEY"] = Server.RevokeApiKey();
        }

        CliResult first = await running;
        string[] afterFirst = Keys(output);
        Assert.Equal(afterFirst.Length, afterFirst.Distinct().Count());
        if (first.ExitCode != 0)
        {
            // Loud: one sentence, no secret, the pages received are written and the checkpoint exists.
            first.AssertOneSentenceError(first.ExitCode, Server.ApiKey);
            Assert.Contains("checkpoint", first.Stderr, StringComparison.Ordinal);
            Assert.True(File.Exists(checkpoint), first.Stderr);
            CliResult second = await CliRun.RunAsync(args, new Dictionary<string, string?> { ["FIRECRAWL_API_KEY"] = Server.ApiKey }, Ct);
            Assert.True(second.ExitCode == 0, $"{fault}: {first.Stderr} then {second.Stderr}");
        }

        string[] keys = Keys(output);
        Assert.Equal(Enumerable.Range(0, PageCount).Select(TestPages.ScrapeId).Order(), keys.Order());
        Assert.Equal(PageCount, keys.Length);
        Assert.Empty(elsewhere.Requests);
    }

    private static string[] Keys(string path) =>
        File.Exists(path) ? [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => PageParser.Parse(Encoding.UTF8.GetBytes(l)).Key)] : [];
}
