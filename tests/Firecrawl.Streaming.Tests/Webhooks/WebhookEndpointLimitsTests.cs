using System.Net;
using System.Net.Sockets;
using System.Text;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;
using Firecrawl.Streaming.Webhooks;

namespace Firecrawl.Streaming.Tests.Webhooks;

/// <summary>The endpoint's load limits over real HTTP: deliveries beyond the concurrency bound are refused with 503, not queued.</summary>
public sealed class WebhookEndpointLimitsTests : IDisposable
{
    private const string Secret = "whsec-limits";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Post_BeyondMaxConcurrentRequests_503WithRetryAfterAndTheFirstStillAccepted()
    {
        var options = new FirecrawlWebhookReceiverOptions { JournalDirectory = _directory.Combine("journal"), MaxConcurrentRequests = 1, EventBufferCapacity = 8 };
        options.Secrets.Add(Secret);
        await using WebhookTestHost host = await WebhookTestHost.StartAsync(options);
        using var http = new HttpClient();

        // A sender that sends its headers and half its body, then stalls: it holds the only slot.
        byte[] first = WebhookTestHost.Body("crawl.page", "job-1", "w-1", TestPages.Json(1));
        using var socket = new TcpClient();
        await socket.ConnectAsync(host.Url.Host, host.Url.Port, Ct);
        NetworkStream stream = socket.GetStream();
        string head = $"POST {host.Url.AbsolutePath} HTTP/1.1\r\nHost: {host.Url.Authority}\r\nContent-Type: application/json\r\n" +
            $"Content-Length: {first.Length}\r\n{WebhookSignature.HeaderName}: {WebhookSignature.Compute(first, Secret)}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Ct);
        await stream.WriteAsync(first.AsMemory(0, first.Length / 2), Ct);
        await stream.FlushAsync(Ct);

        // Time for the server to take the stalled request in: a probe taken in first would hold the slot and refuse it.
        await Task.Delay(1000, Ct);

        // Probes that would get 401 if let in (and store nothing either way), until the stalled sender is in.
        byte[] second = WebhookTestHost.Body("crawl.page", "job-1", "w-2", TestPages.Json(2));
        HttpResponseMessage? refused = null;
        for (int attempt = 0; attempt < 250 && refused?.StatusCode != HttpStatusCode.ServiceUnavailable; attempt++)
        {
            if (refused is not null)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
                refused.Dispose();
                await Task.Delay(20, Ct);
            }

            using var content = new ByteArrayContent(second);
            content.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.Compute(second, "forged"));
            refused = await http.PostAsync(host.Url, content, Ct);
        }

        await stream.WriteAsync(first.AsMemory(first.Length / 2), Ct);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        string? status = await reader.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused!.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        refused.Dispose();
        Assert.Equal("HTTP/1.1 200 OK", status);

        // With the slot free again, a delivery is taken.
        Assert.Equal(HttpStatusCode.OK, await host.PostAsync(second, WebhookSignature.Compute(second, Secret)));
        await host.Receiver.StopAsync(Ct);
        var ids = new List<string?>();
        await foreach (WebhookEvent e in host.Receiver.ReadEventsAsync(Ct))
        {
            ids.Add(e.WebhookId);
        }

        Assert.Equal(["w-1", "w-2"], ids);
    }
}
