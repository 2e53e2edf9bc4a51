using Firecrawl.Streaming.Testing;

namespace Firecrawl.Streaming.Tests.Infrastructure;

/// <summary>Connects the library to the testing kit, which knows nothing of the library.</summary>
public static class FakeServerExtensions
{
    /// <summary>
    /// Client options that point at the server with its key, asking for the server's page size (which tests set per
    /// job, <see cref="FakeJobOptions.PageLimit"/>, to page in several chunks); other options at their defaults.
    /// </summary>
    public static FirecrawlJobClientOptions CreateClientOptions(this FakeFirecrawlServer server) =>
        new() { BaseAddress = server.BaseAddress, ApiKey = server.ApiKey, ChunkLimit = null };
}
