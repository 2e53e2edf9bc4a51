using Firecrawl.Streaming.Webhooks.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Firecrawl.Streaming.Webhooks;

/// <summary>Maps the Firecrawl webhook endpoint: <c>POST {pattern}</c>.</summary>
public static class FirecrawlWebhookEndpointExtensions
{
    /// <summary>Maps the endpoint to the receiver registered with <see cref="FirecrawlWebhookServiceCollectionExtensions.AddFirecrawlWebhooks"/>.</summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="pattern">The route, e.g. <see cref="FirecrawlWebhookReceiverOptions.DefaultPath"/>.</param>
    /// <returns>The endpoint, for further conventions.</returns>
    /// <exception cref="InvalidOperationException">No receiver is registered.</exception>
    public static IEndpointConventionBuilder MapFirecrawlWebhooks(this IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        FirecrawlWebhookReceiver receiver = endpoints.ServiceProvider.GetService<FirecrawlWebhookReceiver>()
            ?? throw new InvalidOperationException("No webhook receiver is registered: call services.AddFirecrawlWebhooks(...) first, or pass the options here.");
        return MapFirecrawlWebhooks(endpoints, pattern, receiver);
    }

    /// <summary>
    /// Creates a receiver with <paramref name="options"/>, opens it now (reading its journal back), maps the endpoint to it,
    /// and stops it (flushing the sinks) when the application has stopped.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="pattern">The route, e.g. <c>/firecrawl/webhook</c>.</param>
    /// <param name="options">The receiver's options.</param>
    /// <returns>The endpoint, for further conventions.</returns>
    public static IEndpointConventionBuilder MapFirecrawlWebhooks(this IEndpointRouteBuilder endpoints, string pattern, FirecrawlWebhookReceiverOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(options);
        IServiceProvider services = endpoints.ServiceProvider;
        var receiver = new FirecrawlWebhookReceiver(options, services.GetService<ILogger<FirecrawlWebhookReceiver>>());
        receiver.StartAsync().GetAwaiter().GetResult();
        services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() => receiver.DisposeAsync().AsTask().GetAwaiter().GetResult());
        return MapFirecrawlWebhooks(endpoints, pattern, receiver);
    }

    /// <summary>Maps the endpoint to a receiver whose lifetime the caller manages (<see cref="FirecrawlWebhookReceiver.StartAsync"/>, <see cref="FirecrawlWebhookReceiver.StopAsync"/>).</summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="pattern">The route.</param>
    /// <param name="receiver">The receiver.</param>
    /// <returns>The endpoint, for further conventions.</returns>
    public static IEndpointConventionBuilder MapFirecrawlWebhooks(this IEndpointRouteBuilder endpoints, string pattern, FirecrawlWebhookReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        ArgumentNullException.ThrowIfNull(receiver);
        var endpoint = new WebhookEndpoint(receiver, receiver.Options);
        return endpoints.MapPost(pattern, (RequestDelegate)endpoint.HandleAsync);
    }
}
