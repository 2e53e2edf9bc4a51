using System.Net;
using System.Text;
using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;
using Firecrawl.Streaming.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace Firecrawl.Streaming.Tests.Webhooks;

/// <summary>A batch scrape that never says it ended (no completed, no failure event) is reconciled once it has been quiet long enough.</summary>
public sealed class WebhookQuietPeriodTests : FakeServerTestBase, IDisposable
{
    private const string Secret = "whsec-quiet";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task QuietPeriod_NoCompletedEvent_ReconciledOnlyAfterTheSilence()
    {
        FakeJob job = AddJob(JobKind.BatchScrape, Pages(12), new FakeJobOptions { FinalStatus = "cancelled" });
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-30T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var reconciled = new TaskCompletionSource<WebhookJobReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        using FirecrawlJobClient client = Client();
        string jsonl = _directory.Combine("pages.jsonl");
        var options = new FirecrawlWebhookReceiverOptions
        {
            JournalDirectory = _directory.Combine("journal"),
            JobClient = client,
            QuietPeriod = TimeSpan.FromMinutes(20),
            TimeProvider = time,
            OnJobReconciled = (report, _) =>
            {
                reconciled.TrySetResult(report);
                return ValueTask.CompletedTask;
            },
        };
        options.Secrets.Add(Secret);
        options.Sinks.Add(new JsonLinesSink(jsonl));

        await using (WebhookTestHost host = await WebhookTestHost.StartAsync(options))
        {
            await Server.PushWebhooksAsync(job, host.Url, new FakeWebhookOptions { Secret = Secret, SkipPages = [2, 7], SendCompleted = false }, Ct);

            time.Advance(TimeSpan.FromMinutes(19));
            await Task.Delay(100, Ct);
            Assert.False(reconciled.Task.IsCompleted, "reconciled before the quiet period had passed");

            time.Advance(TimeSpan.FromMinutes(2));
            WebhookJobReport report = await reconciled.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            Assert.Equal(ReconcileTrigger.QuietPeriod, report.Trigger);
            Assert.Equal((10, 2), (report.Pushed, report.Pulled));
            Assert.Equal("cancelled", report.Status?.Status);
            Assert.True(report.IsComplete);

            // The job is closed: a late delivery of one of the pulled pages is acknowledged and changes nothing.
            byte[] late = WebhookTestHost.Body("batch_scrape.page", job.Id, Guid.NewGuid().ToString(), job.GetPage(7));
            Assert.Equal(HttpStatusCode.OK, await host.PostAsync(late, WebhookSignature.Compute(late, Secret)));
        }

        Assert.Equal(job.Pages.Select(Encoding.UTF8.GetString).Order(), File.ReadAllLines(jsonl).Where(l => l.Length > 0).Order());
    }
}
