using System.Net;
using System.Text;
using System.Text.Json;
using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;
using Firecrawl.Streaming.Webhooks;

namespace Firecrawl.Streaming.Tests.Webhooks;

/// <summary>
/// The receiver end to end over real HTTP: the fake server pushes signed events to the endpoint on Kestrel, an attacker
/// and a broken sender post what they post, and the job's status endpoint fills the gaps.
/// </summary>
public sealed class WebhookReceiverTests : FakeServerTestBase, IDisposable
{
    private const string Secret = "whsec-test-4f1c";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private FirecrawlWebhookReceiverOptions ReceiverOptions(FirecrawlJobClient client, TaskCompletionSource<WebhookJobReport> reconciled, string jsonl)
    {
        var options = new FirecrawlWebhookReceiverOptions
        {
            JournalDirectory = _directory.Combine("journal"),
            JobClient = client,
            MaxBodyBytes = 64 * 1024,
            Pipeline = new PipelineOptions { SinkDefaults = new SinkOptions { MaxBatchDelay = TimeSpan.FromMilliseconds(20) } },
            OnJobReconciled = (report, _) =>
            {
                reconciled.TrySetResult(report);
                return ValueTask.CompletedTask;
            },
        };
        options.Secrets.Add(Secret);
        options.Sinks.Add(new JsonLinesSink(jsonl));
        return options;
    }

    private static List<string> KeysIn(string jsonl) =>
        [.. File.ReadAllLines(jsonl).Where(l => l.Length > 0).Select(l =>
        {
            using JsonDocument document = JsonDocument.Parse(l);
            return document.RootElement.GetProperty("metadata").GetProperty("scrapeId").GetString()!;
        })];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Receive_EveryKindOfDelivery_SinksHoldEveryPageOnceAndNothingForged(JobKind kind)
    {
        FakeJob job = AddJob(kind, Pages(40), new FakeJobOptions { PageLimit = 7, Errors = [new FakeScrapeError("https://example.com/failed", "timed out")] });
        string prefix = kind == JobKind.Crawl ? "crawl" : "batch_scrape";
        string jsonl = _directory.Combine("pages.jsonl");
        var reconciled = new TaskCompletionSource<WebhookJobReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        using FirecrawlJobClient client = Client();
        int[] skipped = [3, 17, 25, 33];
        string[] expected = [.. Enumerable.Range(0, 40).Select(TestPages.ScrapeId)];

        await using (WebhookTestHost host = await WebhookTestHost.StartAsync(ReceiverOptions(client, reconciled, jsonl)))
        {
            // Pages in random order, some never pushed, repeats with the same and with new webhook ids, a failed page.
            IReadOnlyList<FakeWebhookDelivery> pushed = await Server.PushWebhooksAsync(job, host.Url, new FakeWebhookOptions
            {
                Secret = Secret,
                ShuffleSeed = 7,
                Concurrency = 4,
                SkipPages = skipped,
                RepeatPages = [1, 2],
                RepeatWithNewId = [4, 5, 6],
                FailedUrls = ["https://example.com/failed"],
                SendCompleted = false,
            }, Ct);
            Assert.All(pushed, d => Assert.Equal(200, d.StatusCode));
            Assert.Equal(1 + 36 + 2 + 3 + 1, pushed.Count);

            // A forged page (signed with another secret), an unsigned one, malformed JSON, an unknown shape, an oversized body.
            byte[] forged = WebhookTestHost.Body($"{prefix}.page", job.Id, Guid.NewGuid().ToString(), TestPages.Json(900));
            Assert.Equal(HttpStatusCode.Unauthorized, await host.PostAsync(forged, WebhookSignature.Compute(forged, "not-the-secret")));
            Assert.Equal(HttpStatusCode.Unauthorized, await host.PostAsync(forged, signature: null));
            Assert.Equal(HttpStatusCode.Unauthorized, await host.PostAsync(forged, "sha256=" + new string('0', 64)));
            byte[] malformed = """{"success":true,"type":"batch_scrape.page","id":"x","data":[{"metadata":"""u8.ToArray();
            Assert.Equal(HttpStatusCode.BadRequest, await host.PostAsync(malformed, WebhookSignature.Compute(malformed, Secret)));
            byte[] unknown = """{"success":true,"type":"extract.completed","id":"x","data":[]}"""u8.ToArray();
            Assert.Equal(HttpStatusCode.BadRequest, await host.PostAsync(unknown, WebhookSignature.Compute(unknown, Secret)));
            byte[] huge = WebhookTestHost.Body($"{prefix}.page", job.Id, Guid.NewGuid().ToString(), TestPages.Json(901, markdown: new string('m', 100_000)));
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await host.PostAsync(huge, WebhookSignature.Compute(huge, Secret)));
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await host.PostAsync(huge, WebhookSignature.Compute(huge, Secret), chunked: true));

            // completed: the receiver pulls the job and delivers the four pages no webhook brought.
            byte[] completed = WebhookTestHost.Body($"{prefix}.completed", job.Id, Guid.NewGuid().ToString());
            Assert.Equal(HttpStatusCode.OK, await host.PostAsync(completed, WebhookSignature.Compute(completed, Secret)));
            WebhookJobReport report = await reconciled.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

            Assert.Equal(36, report.Pushed);
            Assert.Equal(4, report.Pulled);
            Assert.Equal(5, report.DuplicatesDropped);
            Assert.Equal(["https://example.com/failed"], report.FailedPages);
            Assert.True(report.IsComplete, $"unaccounted {report.Unaccounted}, error {report.Error?.Message}");
            Assert.Equal(ReconcileTrigger.Completed, report.Trigger);

            // Replays after completion, of a page (never pushed, or pushed) and of completed itself, change nothing.
            byte[] late = WebhookTestHost.Body($"{prefix}.page", job.Id, Guid.NewGuid().ToString(), job.GetPage(3));
            Assert.Equal(HttpStatusCode.OK, await host.PostAsync(late, WebhookSignature.Compute(late, Secret)));
            Assert.Equal(HttpStatusCode.OK, await host.PostAsync(completed, WebhookSignature.Compute(completed, Secret)));
        }

        List<string> keys = KeysIn(jsonl);
        Assert.Equal(expected.Order(), keys.Order());
        Assert.DoesNotContain(TestPages.ScrapeId(900), keys);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => Encoding.UTF8.GetString(job.GetPage(i))).Order(), File.ReadAllLines(jsonl).Where(l => l.Length > 0).Order());
    }

    [Fact]
    public async Task StartWithWebhook_ServerPushesToTheReceiver_EveryPageOnceAndReconciled()
    {
        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(new FakeServerOptions
        {
            Webhooks = () => new FakeWebhookOptions { Secret = Secret, SkipPages = [0, 5], RepeatWithNewId = [2] },
        }, Ct);
        using var client = new FirecrawlJobClient(new FirecrawlJobClientOptions
        {
            BaseAddress = server.BaseAddress,
            ApiKey = server.ApiKey,
            PollInterval = TimeSpan.FromMilliseconds(20),
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        });
        string jsonl = _directory.Combine("pages.jsonl");
        var reconciled = new TaskCompletionSource<WebhookJobReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        FakeJob job;
        await using (WebhookTestHost host = await WebhookTestHost.StartAsync(ReceiverOptions(client, reconciled, jsonl)))
        {
            StartedJob started = await client.StartCrawlAsync(new CrawlRequest
            {
                Url = "https://docs.example.com",
                Limit = 12,
                Webhook = new JobWebhook { Url = host.Url, Metadata = new Dictionary<string, string> { ["run"] = "nightly" }, Events = ["started", "page", "completed"] },
            }, Ct);
            job = server.StartedJobs.Single(j => j.Id == started.Id);
            IReadOnlyList<FakeWebhookDelivery> pushed = await job.WebhookPush!.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            Assert.All(pushed, d => Assert.Equal(200, d.StatusCode));

            WebhookJobReport report = await reconciled.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            Assert.Equal((10, 2, 1), (report.Pushed, report.Pulled, report.DuplicatesDropped));
            Assert.True(report.IsComplete);
        }

        Assert.Equal(job.Pages.Select(Encoding.UTF8.GetString).Order(), File.ReadAllLines(jsonl).Where(l => l.Length > 0).Order());
    }

    [Fact]
    public async Task OnEvent_TypedEventsInJournalOrder_WithMetadataAndFailedPages()
    {
        FakeJob job = AddJob(JobKind.BatchScrape, Pages(5));
        var events = new List<WebhookEvent>();
        var options = new FirecrawlWebhookReceiverOptions { JournalDirectory = _directory.Combine("journal"), EventBufferCapacity = 64 };
        options.Secrets.Add("old-secret");
        options.Secrets.Add(Secret); // rotation: either verifies
        await using (WebhookTestHost host = await WebhookTestHost.StartAsync(options))
        {
            Task reading = Task.Run(async () =>
            {
                await foreach (WebhookEvent e in host.Receiver.ReadEventsAsync(Ct))
                {
                    events.Add(e);
                }
            }, Ct);
            await Server.PushWebhooksAsync(job, host.Url, new FakeWebhookOptions
            {
                Secret = Secret,
                Metadata = new Dictionary<string, string> { ["tenant"] = "acme" },
                FailedUrls = ["https://example.com/broken"],
            }, Ct);
            await host.Receiver.StopAsync(Ct);
            await reading.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        }

        Assert.Equal(["batch_scrape.started", .. Enumerable.Repeat("batch_scrape.page", 6), "batch_scrape.completed"], events.Select(e => e.Type));
        Assert.Equal(Range(8).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.All(events, e => Assert.Equal("acme", e.Metadata["tenant"]));
        Assert.Equal(Indices(events.Where(e => e.Success).SelectMany(e => e.Pages)), Range(5));
        WebhookEvent failed = events.Single(e => !e.Success);
        Assert.Equal("https://example.com/broken", failed.FailedPageUrl);
        Assert.Equal(WebhookEventType.Page, failed.EventType);
    }

    [Fact]
    public async Task Receive_JournalFull_503AndOnlyTheAcknowledgedPagesStored()
    {
        string jsonl = _directory.Combine("pages.jsonl");
        var options = new FirecrawlWebhookReceiverOptions { JournalDirectory = _directory.Combine("journal"), MaxBodyBytes = 2048, MaxJournalBytes = 4096 };
        options.Secrets.Add(Secret);
        options.Sinks.Add(new JsonLinesSink(jsonl));
        var statuses = new List<(int Index, HttpStatusCode Status)>();
        await using (WebhookTestHost host = await WebhookTestHost.StartAsync(options))
        {
            for (int i = 0; i < 20; i++)
            {
                byte[] body = WebhookTestHost.Body("batch_scrape.page", "job-full", Guid.NewGuid().ToString(), TestPages.Json(i));
                statuses.Add((i, await host.PostAsync(body, WebhookSignature.Compute(body, Secret))));
            }
        }

        int[] accepted = [.. statuses.Where(s => s.Status == HttpStatusCode.OK).Select(s => s.Index)];
        Assert.NotEmpty(accepted);
        Assert.Contains(statuses, s => s.Status == HttpStatusCode.ServiceUnavailable);
        Assert.All(statuses, s => Assert.True(s.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable));
        Assert.Equal(accepted.Select(TestPages.ScrapeId).Order(), KeysIn(jsonl).Order());
    }

    [Fact]
    public async Task Checkpoint_WhileRunning_NamesTheLastJournalRecordEverySinkHoldsDurably()
    {
        FakeJob job = AddJob(JobKind.BatchScrape, Pages(20));
        string jsonl = _directory.Combine("pages.jsonl");
        string checkpoint = Path.Combine(_directory.Combine("journal"), "delivered.checkpoint");
        var options = new FirecrawlWebhookReceiverOptions
        {
            JournalDirectory = _directory.Combine("journal"),
            Pipeline = new PipelineOptions { CheckpointInterval = 5, CheckpointPeriod = TimeSpan.FromMilliseconds(200), SinkDefaults = new SinkOptions { BatchSize = 5, MaxBatchDelay = TimeSpan.FromMilliseconds(10) } },
        };
        options.Secrets.Add(Secret);
        options.Sinks.Add(new JsonLinesSink(jsonl));
        await using WebhookTestHost host = await WebhookTestHost.StartAsync(options);
        await Server.PushWebhooksAsync(job, host.Url, new FakeWebhookOptions { Secret = Secret, SendCompleted = false }, Ct);

        // Record 0 is started, records 1-20 the pages: the checkpoint reaches 20 once the last page is durable, while running.
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        wait.CancelAfter(TimeSpan.FromSeconds(20));
        long through = -1;
        while (through < 20)
        {
            await Task.Delay(10, wait.Token);
            if (File.Exists(checkpoint))
            {
                string? value = await new FileCheckpointStore(checkpoint).LoadAsync(wait.Token);
                using JsonDocument document = JsonDocument.Parse(value!);
                through = document.RootElement.GetProperty("through").GetInt64();
                Assert.True(KeysIn(jsonl).Count >= through, $"checkpoint {through} passes the {KeysIn(jsonl).Count} pages on disk");
            }
        }

        Assert.Equal(20, through);
        Assert.Equal(Enumerable.Range(0, 20).Select(TestPages.ScrapeId).Order(), KeysIn(jsonl).Order());
    }
}
