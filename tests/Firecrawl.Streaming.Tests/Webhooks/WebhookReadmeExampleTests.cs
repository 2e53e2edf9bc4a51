using System.Net;
using System.Text;
using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;
using Firecrawl.Streaming.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Firecrawl.Streaming.Tests.Webhooks;

/// <summary>The README's ASP.NET Core endpoint, as written (registered with DI, started and stopped by the host).</summary>
public sealed class WebhookReadmeExampleTests : FakeServerTestBase, IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task ReadmeEndpointExample_HostedReceiver_EveryPageOnceAndFlushedAtShutdown()
    {
        FakeJob job = AddJob(JobKind.BatchScrape, Pages(25));
        string jsonl = _directory.Combine("pages.jsonl");
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Configuration["FIRECRAWL_WEBHOOK_SECRET"] = "whsec-readme";

        // The README's lines, with the fake server's client and temporary paths.
        builder.Services.AddFirecrawlWebhooks(o =>
        {
            o.Secrets.Add(builder.Configuration["FIRECRAWL_WEBHOOK_SECRET"]!);
            o.JournalDirectory = _directory.Combine("webhook-journal");
            o.Sinks.Add(new JsonLinesSink(jsonl));
            o.JobClient = Client();
        });
        WebApplication app = builder.Build();
        app.MapFirecrawlWebhooks("/firecrawl/webhook");

        await app.StartAsync(Ct);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var url = new Uri(address.TrimEnd('/') + "/firecrawl/webhook");
        IReadOnlyList<FakeWebhookDelivery> pushed = await Server.PushWebhooksAsync(job, url, new FakeWebhookOptions { Secret = "whsec-readme", SkipPages = [24] }, Ct);
        FirecrawlWebhookReceiver receiver = app.Services.GetRequiredService<FirecrawlWebhookReceiver>();
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            wait.CancelAfter(TimeSpan.FromSeconds(30));
            while (receiver.Reports.Count == 0)
            {
                await Task.Delay(10, wait.Token);
            }
        }

        await app.StopAsync(Ct);
        await app.DisposeAsync();

        Assert.All(pushed, d => Assert.Equal(200, d.StatusCode));
        WebhookJobReport report = Assert.Single(receiver.Reports);
        Assert.Equal((24, 1), (report.Pushed, report.Pulled));
        Assert.True(receiver.Completion.IsCompletedSuccessfully);
        Assert.Equal(job.Pages.Select(Encoding.UTF8.GetString).Order(), File.ReadAllLines(jsonl).Where(l => l.Length > 0).Order());
    }
}
