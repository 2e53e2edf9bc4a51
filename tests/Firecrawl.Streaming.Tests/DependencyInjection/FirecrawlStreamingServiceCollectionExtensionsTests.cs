using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace Firecrawl.Streaming.Tests.DependencyInjection;

/// <summary>A host built from configuration, streaming a job from the fake server, and what it logged, traced and measured.</summary>
public sealed class FirecrawlStreamingServiceCollectionExtensionsTests : FakeServerTestBase
{
    private Dictionary<string, string?> Settings(string? maxRetries = "3") => new()
    {
        ["Firecrawl:ApiKey"] = Server.ApiKey,
        ["Firecrawl:BaseAddress"] = Server.BaseAddress.ToString(),
        ["Firecrawl:MaxRetries"] = maxRetries,
        ["Firecrawl:RetryBaseDelay"] = "00:00:00.010",
        ["Firecrawl:MaxRetryDelay"] = "00:00:00.100",
        ["Firecrawl:PollInterval"] = "00:00:00.020",
        ["Firecrawl:ChunkLimit"] = "10",
    };

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Debug).AddFakeLogging();
        builder.Services.AddMetrics();
        builder.Services.AddFirecrawlStreaming(builder.Configuration.GetSection("Firecrawl"));
        return builder.Build();
    }

    [Fact]
    public async Task AddFirecrawlStreaming_FromConfiguration_StreamsAJobWithLogsSpansAndMetrics()
    {
        FakeJob job = Server.AddJob(Pages(30), new FakeJobOptions { PageLimit = 10 });
        job.Faults.Enqueue(FakeFault.Status(429, "Rate limit exceeded", retryAfter: TimeSpan.FromMilliseconds(20)), atSkip: 10);
        using var spans = new SpanRecorder();
        using IHost host = BuildHost(Settings());
        await host.StartAsync(Ct);
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var durations = new MetricCollector<double>(meters, FirecrawlStreamingDiagnostics.MeterName, "firecrawl.client.request.duration");
        using var retries = new MetricCollector<long>(meters, FirecrawlStreamingDiagnostics.MeterName, "firecrawl.client.retries");

        IFirecrawlJobClient client = host.Services.GetRequiredService<IFirecrawlJobClient>();
        List<ScrapedPage> pages = await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id));
        await host.StopAsync(Ct);

        Assert.Equal(Enumerable.Range(0, 30), Indices(pages));
        Assert.Same(client, host.Services.GetRequiredService<FirecrawlJobClient>());

        // Logs: the stream's start and end, every request, and the 429 wait, with their stable ids and never the key.
        FakeLogCollector logs = host.Services.GetFakeLogCollector();
        IReadOnlyList<FakeLogRecord> all = logs.GetSnapshot();
        FakeLogRecord[] records = [.. all.Where(r => r.Category?.StartsWith(FirecrawlStreamingDiagnostics.LoggerCategory + ".", StringComparison.Ordinal) == true)];
        Assert.Contains(records, r => r.Id.Id == 200 && r.Message.Contains(job.Id, StringComparison.Ordinal));
        Assert.Equal(3, records.Count(r => r.Id.Id == 101 && r.Message.Contains("answered 200", StringComparison.Ordinal)));
        Assert.Single(records, r => r.Id.Id == 104 && r.Level == LogLevel.Warning);
        Assert.Contains(records, r => r.Id.Id == 206 && r.Message.Contains("30 pages delivered", StringComparison.Ordinal));
        Assert.All(all, r => Assert.DoesNotContain(Server.ApiKey, r.Message, StringComparison.Ordinal));
        Assert.Contains(records, r => r.Category == "Firecrawl.Streaming.Http");
        Assert.Contains(records, r => r.Category == "Firecrawl.Streaming.Paging");

        // Spans: one per chunk request (the 429 one included) under the job's span, each the parent of the HTTP client's span.
        Activity stream = Assert.Single(spans.Named("firecrawl.job.stream"), s => (string?)s.GetTagItem("firecrawl.job.id") == job.Id);
        Activity[] chunks = [.. spans.Named("firecrawl.chunk.request").Where(s => s.ParentSpanId == stream.SpanId)];
        Assert.Equal([0L, 10L, 10L, 20L], chunks.Select(c => (long)c.GetTagItem("firecrawl.chunk.skip")!).Order());
        Assert.Single(chunks, c => c.Status == ActivityStatusCode.Error);
        Assert.All(chunks, c => Assert.Single(spans.Named("System.Net.Http.HttpRequestOut"), h => h.ParentSpanId == c.SpanId));
        Assert.Equal(true, stream.GetTagItem("firecrawl.job.completed"));

        // Metrics: a duration (in seconds) per request, and the retry counted by its reason.
        IReadOnlyList<CollectedMeasurement<double>> measured = durations.GetMeasurementSnapshot();
        Assert.Equal(4, measured.Count);
        Assert.All(measured, m => Assert.InRange(m.Value, 0, 30));
        Assert.Equal(1, measured.Count(m => m.Tags["http.response.status_code"] is 429));
        CollectedMeasurement<long> retry = Assert.Single(retries.GetMeasurementSnapshot());
        Assert.Equal("rate_limited", retry.Tags["firecrawl.retry.reason"]);
    }

    [Fact]
    public async Task AddFirecrawlStreaming_InvalidOption_HostFailsToStart()
    {
        using IHost host = BuildHost(Settings(maxRetries: "-1"));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("MaxRetries must be zero or more", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddFirecrawlStreaming_ConfigureAction_TakesTheContainersTimeProviderAndTheLibrarysHandler()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddFirecrawlStreaming(o =>
        {
            o.ApiKey = Server.ApiKey;
            o.BaseAddress = Server.BaseAddress;
        });
        await using ServiceProvider provider = services.BuildServiceProvider();

        FirecrawlJobClientOptions options = provider.GetRequiredService<IOptions<FirecrawlJobClientOptions>>().Value;
        var handlers = provider.GetRequiredService<IHttpMessageHandlerFactory>();
        FakeJob job = Server.AddJob(Pages(3));
        List<ScrapedPage> pages = await ReadAllAsync(provider.GetRequiredService<IFirecrawlJobClient>().StreamBatchScrapeAsync(job.Id));

        Assert.Same(time, options.TimeProvider);
        Assert.NotNull(options.MeterFactory); // AddHttpClient registers metrics and logging; the client uses them
        Assert.Equal(3, pages.Count);
        Assert.Contains(Server.Requests, r => r.Host == Server.BaseAddress.Authority);
        Assert.NotNull(handlers.CreateHandler(FirecrawlStreamingServiceCollectionExtensions.HttpClientName));
    }

    /// <summary>Records the spans of the library and of HttpClient while alive (they are global: tests filter by their own ids).</summary>
    private sealed class SpanRecorder : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _spans = new();
        private readonly ActivityListener _listener;

        public SpanRecorder()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name is FirecrawlStreamingDiagnostics.ActivitySourceName or "System.Net.Http",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _spans.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IEnumerable<Activity> Named(string name) => _spans.Where(s => s.OperationName == name);

        public void Dispose() => _listener.Dispose();
    }
}
