using System.Diagnostics;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Firecrawl.Streaming.Tests.DependencyInjection;

/// <summary>The README's OpenTelemetry wiring, with in-memory exporters in place of OTLP.</summary>
public sealed class OpenTelemetryWiringTests : FakeServerTestBase
{
    [Fact]
    public async Task AddOpenTelemetry_WithTheLibrarysNames_ExportsItsSpansAndMetrics()
    {
        FakeJob job = Server.AddJob(Pages(30), new FakeJobOptions { PageLimit = 10 });
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddFirecrawlStreaming(o =>
        {
            o.ApiKey = Server.ApiKey;
            o.BaseAddress = Server.BaseAddress;
            o.ChunkLimit = null; // the fake server's page size makes the chunks: three requests
        });
        builder.Services.AddOpenTelemetry()
            .WithTracing(t => t.AddSource(FirecrawlStreamingDiagnostics.ActivitySourceName, "System.Net.Http").AddInMemoryExporter(spans))
            .WithMetrics(m => m.AddMeter(FirecrawlStreamingDiagnostics.MeterName).AddInMemoryExporter(metrics));
        using (IHost host = builder.Build())
        {
            await host.StartAsync(Ct);
            await ReadAllAsync(host.Services.GetRequiredService<IFirecrawlJobClient>().StreamBatchScrapeAsync(job.Id));
            host.Services.GetRequiredService<MeterProvider>().ForceFlush();
            await host.StopAsync(Ct);
        }

        Activity stream = Assert.Single(spans, s => s.OperationName == "firecrawl.job.stream" && (string?)s.GetTagItem("firecrawl.job.id") == job.Id);
        Activity[] chunks = [.. spans.Where(s => s.OperationName == "firecrawl.chunk.request" && s.ParentSpanId == stream.SpanId)];
        Assert.Equal(3, chunks.Length);
        Assert.All(chunks, c => Assert.Contains(spans, h => h.Source.Name == "System.Net.Http" && h.ParentSpanId == c.SpanId));
        // One metric per export (and per meter of that name: the container's, and the process's shared one other clients use).
        Metric[] durations = [.. metrics.Where(m => m.Name == "firecrawl.client.request.duration")];
        Assert.NotEmpty(durations);
        Assert.All(durations, d => Assert.Equal(("s", MetricType.Histogram), (d.Unit, d.MetricType)));
    }
}
