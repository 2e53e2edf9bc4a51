using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;
using Firecrawl.Streaming.Webhooks;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary>
/// <c>fcstream listen</c> on Kestrel, fed by the fake server's webhook pushes: in-process with <c>--once</c>, and as a
/// real process killed with SIGKILL after acknowledging pages it had not written to its sinks yet.
/// </summary>
public sealed class ListenTests : FakeServerTestBase, IDisposable
{
    private const string Secret = "whsec-listen-91";
    private readonly TempDirectory _directory = new();
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        _directory.Dispose();
    }

    private static int FreePort() => ListenEndpoint.FreePort();

    private string[] Args(int port, string jsonl, params string[] more) =>
    [
        "listen", "--listen", $"http://127.0.0.1:{port}", "--to", $"jsonl:{jsonl}", "--journal", _directory.Combine("journal"),
        "--api-url", Server.BaseAddress.ToString(), "--poll-interval", "10ms", .. more,
    ];

    private Task WaitListeningAsync(Uri url, Func<bool> gaveUp) => ListenEndpoint.WaitListeningAsync(_http, url, gaveUp, Ct);

    private async Task<HttpStatusCode> PostSignedAsync(Uri url, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.Compute(body, Secret));
        using HttpResponseMessage response = await _http.PostAsync(url, content, Ct);
        return response.StatusCode;
    }

    private static List<string> Lines(string jsonl) => File.Exists(jsonl) ? [.. File.ReadAllLines(jsonl).Where(l => l.Length > 0)] : [];

    [Fact]
    public async Task Listen_Once_ExitsZeroWithPushedAndPulledPagesExactlyOnce()
    {
        FakeJob job = AddJob(JobKind.Crawl, Pages(30), new FakeJobOptions { PageLimit = 8 });
        int port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/firecrawl/webhook");
        string jsonl = _directory.Combine("pages.jsonl");
        Task<CliResult> run = CliRun.RunAsync(Args(port, jsonl, "--once"), new Dictionary<string, string?>
        {
            ["FIRECRAWL_API_KEY"] = Server.ApiKey,
            ["FIRECRAWL_WEBHOOK_SECRET"] = Secret,
        }, Ct);
        await WaitListeningAsync(url, () => run.IsCompleted);

        IReadOnlyList<FakeWebhookDelivery> pushed = await Server.PushWebhooksAsync(job, url, new FakeWebhookOptions
        {
            Secret = Secret,
            ShuffleSeed = 3,
            SkipPages = [0, 9, 29],
            RepeatWithNewId = [4],
        }, Ct);
        CliResult result = await run.WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.All(pushed, d => Assert.Equal(200, d.StatusCode));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains($"done job={job.Id} pushed=27 pulled=3 completed=30 status=completed duplicates=1 failed=0 unaccounted=0", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Server.ApiKey, result.Stderr, StringComparison.Ordinal);
        Assert.Equal(job.Pages.Select(Encoding.UTF8.GetString).Order(), Lines(jsonl).Order());
    }

    [Fact]
    public async Task Listen_KilledAfterAcknowledgingBeforeWriting_RestartDeliversEveryPageExactlyOnce()
    {
        FakeJob job = AddJob(JobKind.BatchScrape, Pages(40), new FakeJobOptions { PageLimit = 16 });
        int port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/firecrawl/webhook");
        string jsonl = _directory.Combine("pages.jsonl");
        string checkpoint = _directory.Combine("listen.checkpoint");
        string[] args = Args(port, jsonl, "--checkpoint", checkpoint, "--checkpoint-every", "10000");

        using (Process first = StartProcess(args))
        {
            try
            {
                Task<string> stderr = first.StandardError.ReadToEndAsync(Ct);
                await WaitListeningAsync(url, () => first.HasExited);

                // Thirty pages acknowledged (journaled and fsynced), then SIGKILL before the sinks' batch delay has passed.
                IReadOnlyList<FakeWebhookDelivery> pushed = await Server.PushWebhooksAsync(job, url, new FakeWebhookOptions
                {
                    Secret = Secret,
                    ShuffleSeed = 11,
                    SkipPages = [.. Enumerable.Range(30, 10)],
                    SendCompleted = false,
                }, Ct);
                first.Kill();
                await first.WaitForExitAsync(Ct);
                Assert.All(pushed, d => Assert.Equal(200, d.StatusCode));
                Assert.Equal(31, pushed.Count);
            }
            finally
            {
                if (!first.HasExited)
                {
                    first.Kill();
                }
            }
        }

        // The window the test is about: pages the receiver acknowledged that no sink holds.
        Assert.True(Lines(jsonl).Count < 30, $"{Lines(jsonl).Count} of 30 acknowledged pages were already written: the kill came too late to test anything.");

        using Process second = StartProcess([.. args, "--once"]);
        try
        {
            Task<string> stdout = second.StandardOutput.ReadToEndAsync(Ct);
            Task<string> stderr = second.StandardError.ReadToEndAsync(Ct);
            await WaitListeningAsync(url, () => second.HasExited);

            // A redelivery of a page the dead process acknowledged, then completed.
            byte[] again = WebhookTestHost.Body("batch_scrape.page", job.Id, Guid.NewGuid().ToString(), job.GetPage(12));
            Assert.Equal(HttpStatusCode.OK, await PostSignedAsync(url, again));
            byte[] completed = WebhookTestHost.Body("batch_scrape.completed", job.Id, Guid.NewGuid().ToString());
            Assert.Equal(HttpStatusCode.OK, await PostSignedAsync(url, completed));

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            await second.WaitForExitAsync(timeout.Token);
            string error = await stderr;
            Assert.True(second.ExitCode == 0, error);
            Assert.Contains($"done job={job.Id} pushed=30 pulled=10 completed=40 status=completed duplicates=1", error, StringComparison.Ordinal);
        }
        finally
        {
            if (!second.HasExited)
            {
                second.Kill();
            }
        }

        List<string> lines = Lines(jsonl);
        Assert.Equal(40, lines.Count);
        Assert.Equal(job.Pages.Select(Encoding.UTF8.GetString).Order(), lines.Order());
    }

    [Fact]
    public async Task Listen_NoSecret_UsageErrorNamingTheVariable()
    {
        CliResult result = await CliRun.RunAsync(Args(FreePort(), _directory.Combine("p.jsonl")), new Dictionary<string, string?> { ["FIRECRAWL_API_KEY"] = Server.ApiKey }, Ct);
        result.AssertOneSentenceError(2);
        Assert.Contains("FIRECRAWL_WEBHOOK_SECRET", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CrawlUrl_WithWebhook_StartBodyNamesTheReceiver()
    {
        CliResult result = await CliRun.RunAsync(
            ["crawl", "https://docs.example.com", "--limit", "3", "--webhook", "https://hooks.example/firecrawl/webhook", "--webhook-event", "page", "--webhook-event", "completed",
             "--to", $"jsonl:{_directory.Combine("c.jsonl")}", "--api-url", Server.BaseAddress.ToString(), "--poll-interval", "10ms"],
            new Dictionary<string, string?> { ["FIRECRAWL_API_KEY"] = Server.ApiKey }, Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        string body = Server.Requests.Single(r => r.Method == "POST").Body!;
        Assert.Contains("\"webhook\":{\"url\":\"https://hooks.example/firecrawl/webhook\",\"events\":[\"page\",\"completed\"]}", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadmeListenExample_CrawlStartedWithWebhookOnly_ListenReceivesEveryPageAndExitsZero()
    {
        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(new FakeServerOptions
        {
            CrawlSiteSize = 20,
            Webhooks = () => new FakeWebhookOptions { Secret = Secret, ShuffleSeed = 5, SkipPages = [3, 4] },
        }, Ct);
        int port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/firecrawl/webhook");
        string jsonl = _directory.Combine("pages.jsonl");
        var environment = new Dictionary<string, string?> { ["FIRECRAWL_API_KEY"] = server.ApiKey, ["FIRECRAWL_WEBHOOK_SECRET"] = Secret };

        // The README's two commands: the receiver, then a crawl that pushes to it and streams nothing itself.
        Task<CliResult> listen = CliRun.RunAsync(
            ["listen", "--listen", $"http://127.0.0.1:{port}", "--to", $"jsonl:{jsonl}", "--journal", _directory.Combine("journal"), "--once",
             "--api-url", server.BaseAddress.ToString(), "--poll-interval", "10ms"], environment, Ct);
        await WaitListeningAsync(url, () => listen.IsCompleted);
        CliResult crawl = await CliRun.RunAsync(
            ["crawl", "https://docs.example.com", "--limit", "200", "--webhook", url.ToString(), "--api-url", server.BaseAddress.ToString()], environment, Ct);
        CliResult received = await listen.WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.True(crawl.ExitCode == 0, crawl.Stderr);
        FakeJob job = Assert.Single(server.StartedJobs);
        Assert.Equal(job.Id, crawl.Stdout.Trim());
        Assert.Contains($"Started crawl {job.Id}; its events go to {url}", crawl.Stderr, StringComparison.Ordinal);
        Assert.True(received.ExitCode == 0, received.Stderr);
        Assert.Contains($"done job={job.Id} pushed=18 pulled=2 completed=20 status=completed", received.Stderr, StringComparison.Ordinal);
        Assert.Equal(job.Pages.Select(Encoding.UTF8.GetString).Order(), Lines(jsonl).Order());
        Assert.DoesNotContain(server.Requests, r => r.Method == "GET" && r.Authorization is null);
    }

    private Process StartProcess(string[] args)
    {
        string tool = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "fcstream.exe" : "fcstream");
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["FIRECRAWL_API_KEY"] = Server.ApiKey;
        start.Environment["FIRECRAWL_WEBHOOK_SECRET"] = Secret;
        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {tool}.");
    }
}
