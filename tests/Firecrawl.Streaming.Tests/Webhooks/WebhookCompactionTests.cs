using System.Net;
using System.Text;
using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;
using Firecrawl.Streaming.Webhooks;

namespace Firecrawl.Streaming.Tests.Webhooks;

/// <summary>The journal's disk use stays bounded: reconciled jobs are compacted away at start, and what they were still counts as seen.</summary>
public sealed class WebhookCompactionTests : FakeServerTestBase, IDisposable
{
    private const string Secret = "whsec-compact";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private FirecrawlWebhookReceiverOptions Options(FirecrawlJobClient client, string jsonl)
    {
        var options = new FirecrawlWebhookReceiverOptions
        {
            JournalDirectory = _directory.Combine("journal"),
            JobClient = client,
            MaxBodyBytes = 2048,
            MaxJournalBytes = 12 * 1024,
        };
        options.Secrets.Add(Secret);
        options.Sinks.Add(new JsonLinesSink(jsonl));
        return options;
    }

    [Fact]
    public async Task Start_JournalPastHalfItsLimitAndAllDelivered_ReconciledJobsCompactedAwayAndStillDeduplicated()
    {
        FakeJob done = AddJob(JobKind.BatchScrape, Pages(12));
        FakeJob open = AddJob(JobKind.Crawl, [.. Enumerable.Range(100, 4).Select(i => TestPages.Json(i))]);
        string jsonl = _directory.Combine("pages.jsonl");
        string journal = Path.Combine(_directory.Combine("journal"), "webhooks.journal");
        using FirecrawlJobClient client = Client();

        await using (WebhookTestHost host = await WebhookTestHost.StartAsync(Options(client, jsonl)))
        {
            await Server.PushWebhooksAsync(done, host.Url, new FakeWebhookOptions { Secret = Secret }, Ct);
            await Server.PushWebhooksAsync(open, host.Url, new FakeWebhookOptions { Secret = Secret, SkipPages = [3], SendCompleted = false }, Ct);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            wait.CancelAfter(TimeSpan.FromSeconds(30));
            while (host.Receiver.Reports.Count == 0)
            {
                await Task.Delay(10, wait.Token);
            }
        }

        long before = new FileInfo(journal).Length;
        Assert.True(before > 6 * 1024, $"journal {before} bytes: not past half its limit, nothing to test");

        var reconciled = new TaskCompletionSource<WebhookJobReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        FirecrawlWebhookReceiverOptions options = Options(client, jsonl);
        options.OnJobReconciled = (report, _) =>
        {
            reconciled.TrySetResult(report);
            return ValueTask.CompletedTask;
        };
        await using (WebhookTestHost host = await WebhookTestHost.StartAsync(options))
        {
            long after = new FileInfo(journal).Length;
            Assert.True(after < before / 2, $"journal {before} -> {after} bytes");

            // A replay of the compacted job changes nothing; the open job still knows what it was pushed.
            byte[] replay = WebhookTestHost.Body("batch_scrape.page", done.Id, Guid.NewGuid().ToString(), done.GetPage(5));
            Assert.Equal(HttpStatusCode.OK, await host.PostAsync(replay, WebhookSignature.Compute(replay, Secret)));
            byte[] completed = WebhookTestHost.Body("crawl.completed", open.Id, Guid.NewGuid().ToString());
            Assert.Equal(HttpStatusCode.OK, await host.PostAsync(completed, WebhookSignature.Compute(completed, Secret)));
            WebhookJobReport report = await reconciled.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            Assert.Equal((open.Id, 3L, 1L), (report.JobId, report.Pushed, report.Pulled));
            Assert.Equal(0, report.DuplicatesDropped);
        }

        string[] expected = [.. done.Pages.Concat(open.Pages).Select(Encoding.UTF8.GetString)];
        Assert.Equal(expected.Order(), File.ReadAllLines(jsonl).Where(l => l.Length > 0).Order());
    }
}
