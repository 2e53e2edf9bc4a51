using System.Net;
using System.Net.Http.Headers;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Firecrawl.Streaming.Tests.Infrastructure;

/// <summary>A receiver behind the real endpoint, on Kestrel on a free loopback port, and a client that posts to it.</summary>
public sealed class WebhookTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http = new();

    private WebhookTestHost(WebApplication app, FirecrawlWebhookReceiver receiver, Uri url)
    {
        _app = app;
        Receiver = receiver;
        Url = url;
    }

    public FirecrawlWebhookReceiver Receiver { get; }

    public Uri Url { get; }

    public static async Task<WebhookTestHost> StartAsync(FirecrawlWebhookReceiverOptions options, string path = FirecrawlWebhookReceiverOptions.DefaultPath)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        var receiver = new FirecrawlWebhookReceiver(options);
        await receiver.StartAsync();
        app.MapFirecrawlWebhooks(path, receiver);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new WebhookTestHost(app, receiver, new Uri(address.TrimEnd('/') + path));
    }

    /// <summary>Posts <paramref name="body"/> with the given signature header (none when null).</summary>
    public async Task<HttpStatusCode> PostAsync(byte[] body, string? signature, bool chunked = false)
    {
        HttpContent content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (chunked)
        {
            content.Headers.ContentLength = null;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = content };
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, signature);
        }

        using HttpResponseMessage response = await _http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Stops the receiver (flushing its sinks), then the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await Receiver.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
    }

    /// <summary>A webhook body as the server builds it.</summary>
    public static byte[] Body(string type, string jobId, string webhookId, byte[]? page = null, bool success = true, string? error = null) =>
        FakeWebhookPusher.Body(type, jobId, webhookId, success, page, error, metadata: null);
}
