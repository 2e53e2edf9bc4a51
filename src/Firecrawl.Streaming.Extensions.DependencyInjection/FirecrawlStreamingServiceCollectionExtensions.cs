using System.Diagnostics.Metrics;
using Firecrawl.Streaming;
using Firecrawl.Streaming.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="FirecrawlJobClient"/> in a service collection.</summary>
/// <example>
/// <code>
/// builder.Services.AddFirecrawlStreaming(builder.Configuration.GetSection("Firecrawl"));
/// // ... then inject IFirecrawlJobClient (or FirecrawlJobClient).
/// </code>
/// </example>
public static class FirecrawlStreamingServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> the client sends its requests through (<see cref="IHttpClientFactory"/>).</summary>
    public const string HttpClientName = "Firecrawl.Streaming";

    /// <summary>
    /// Registers one <see cref="FirecrawlJobClient"/> (as itself and as <see cref="IFirecrawlJobClient"/>) with its options
    /// bound from <paramref name="configuration"/> (property names as in <see cref="FirecrawlJobClientOptions"/>:
    /// <c>ApiKey</c>, <c>BaseAddress</c>, <c>MaxRetries</c>, <c>PollInterval</c> as <c>00:00:02</c> ...) and validated when
    /// the host starts; see <see cref="AddFirecrawlStreaming(IServiceCollection, Action{FirecrawlJobClientOptions})"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section holding the options, e.g. <c>configuration.GetSection("Firecrawl")</c>.</param>
    /// <returns>The builder of the client's named <see cref="HttpClient"/>, to add handlers to (read the README on retries first).</returns>
    public static IHttpClientBuilder AddFirecrawlStreaming(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        OptionsBuilder<FirecrawlJobClientOptions> options = services.AddOptions<FirecrawlJobClientOptions>();
        options.Bind(configuration);
        return AddCore(services, options);
    }

    /// <summary>
    /// Registers one <see cref="FirecrawlJobClient"/> (as itself and as <see cref="IFirecrawlJobClient"/>), a singleton:
    /// its options are configured by <paramref name="configure"/> and validated when the host starts
    /// (<c>ValidateOnStart</c>: a missing key or a bad option stops the host, not the first request); its requests go
    /// through the <see cref="IHttpClientFactory"/> client <see cref="HttpClientName"/>, whose primary handler has the
    /// library's settings (<see cref="FirecrawlJobClientOptions.CreateHttpHandler"/>: decompression, pooled connections
    /// recycled every 5 minutes, no automatic redirects); and the container's <see cref="ILoggerFactory"/>,
    /// <see cref="IMeterFactory"/> and <see cref="TimeProvider"/> are used when the options name none.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder of the client's named <see cref="HttpClient"/>, to add handlers to (read the README on retries first).</returns>
    public static IHttpClientBuilder AddFirecrawlStreaming(this IServiceCollection services, Action<FirecrawlJobClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        OptionsBuilder<FirecrawlJobClientOptions> options = services.AddOptions<FirecrawlJobClientOptions>();
        options.Configure(configure);
        return AddCore(services, options);
    }

    private static IHttpClientBuilder AddCore(IServiceCollection services, OptionsBuilder<FirecrawlJobClientOptions> options)
    {
        options.PostConfigure<IServiceProvider>(static (o, provider) =>
        {
            o.LoggerFactory ??= provider.GetService<ILoggerFactory>();
            o.MeterFactory ??= provider.GetService<IMeterFactory>();
            if (ReferenceEquals(o.TimeProvider, TimeProvider.System) && provider.GetService<TimeProvider>() is TimeProvider time)
            {
                o.TimeProvider = time;
            }
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FirecrawlJobClientOptions>, FirecrawlJobClientOptionsValidator>());
        options.ValidateOnStart();

        services.TryAddSingleton(static provider =>
        {
            FirecrawlJobClientOptions settings = provider.GetRequiredService<IOptions<FirecrawlJobClientOptions>>().Value;
            HttpClient http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
            return new FirecrawlJobClient(http, settings);
        });
        services.TryAddSingleton<IFirecrawlJobClient>(static provider => provider.GetRequiredService<FirecrawlJobClient>());

        return services.AddHttpClient(HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(FirecrawlJobClientOptions.CreateHttpHandler)
            .ConfigureHttpClient(static http => http.Timeout = Timeout.InfiniteTimeSpan) // the client bounds each wait itself

            // The one client lives as long as the container; its handler recycles connections itself (PooledConnectionLifetime).
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
    }
}
