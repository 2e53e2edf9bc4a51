using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Firecrawl.Streaming.Webhooks;

/// <summary>Registers a <see cref="FirecrawlWebhookReceiver"/> that starts and stops with the host.</summary>
public static class FirecrawlWebhookServiceCollectionExtensions
{
    /// <summary>
    /// Registers one receiver (a singleton, configured by <paramref name="configure"/>) and a hosted service that opens it
    /// before the server starts and stops it, flushing the sinks, when the host stops. Map its endpoint with
    /// <see cref="FirecrawlWebhookEndpointExtensions.MapFirecrawlWebhooks(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder, string)"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options: secrets, journal directory, sinks, job client.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddFirecrawlWebhooks(this IServiceCollection services, Action<FirecrawlWebhookReceiverOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddSingleton(provider =>
        {
            var options = new FirecrawlWebhookReceiverOptions();
            configure(options);
            return new FirecrawlWebhookReceiver(options, provider.GetService<ILogger<FirecrawlWebhookReceiver>>());
        });
        services.AddHostedService<ReceiverHost>();
        return services;
    }

    private sealed class ReceiverHost(FirecrawlWebhookReceiver receiver) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => receiver.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => receiver.StopAsync(cancellationToken);
    }
}
