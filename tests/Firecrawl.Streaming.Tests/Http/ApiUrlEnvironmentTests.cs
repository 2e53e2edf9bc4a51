using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Client;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Http;

/// <summary><c>FIRECRAWL_API_URL</c> as the default address, as the official SDKs read it (process-wide, so run alone).</summary>
[Collection(nameof(ProcessStateTests))]
public sealed class ApiUrlEnvironmentTests : FakeServerTestBase
{
    private static T WithApiUrl<T>(string? value, Func<T> run)
    {
        string? saved = Environment.GetEnvironmentVariable(FirecrawlJobClientOptions.ApiUrlEnvironmentVariable);
        Environment.SetEnvironmentVariable(FirecrawlJobClientOptions.ApiUrlEnvironmentVariable, value);
        try
        {
            return run();
        }
        finally
        {
            Environment.SetEnvironmentVariable(FirecrawlJobClientOptions.ApiUrlEnvironmentVariable, saved);
        }
    }

    [Fact]
    public async Task Options_ApiUrlVariableSet_StreamsFromThatAddress()
    {
        FakeJob job = Server.AddJob(Pages(15), new FakeJobOptions { PageLimit = 10 });
        FirecrawlJobClientOptions options = WithApiUrl(Server.BaseAddress.ToString(), () => new FirecrawlJobClientOptions { ApiKey = Server.ApiKey });
        using var client = new FirecrawlJobClient(options);

        List<ScrapedPage> pages = await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id));

        Assert.Equal(Server.BaseAddress, options.BaseAddress);
        Assert.Equal(15, pages.Count);
    }

    [Fact]
    public void Options_ApiUrlVariableUnset_ThePublicApi()
    {
        FirecrawlJobClientOptions options = WithApiUrl(null, () => new FirecrawlJobClientOptions());

        Assert.Equal(FirecrawlJobClientOptions.DefaultBaseAddress, options.BaseAddress);
    }

    [Fact]
    public void Validate_ApiUrlVariableNotAUrl_NamesTheVariable()
    {
        FirecrawlJobClientOptions options = WithApiUrl("api.firecrawl.dev:443 oops", () => new FirecrawlJobClientOptions { ApiKey = "k" });

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal(FirecrawlJobClientOptions.ApiUrlEnvironmentVariable, error.ParamName);
    }

    [Fact]
    public void Validate_ApiUrlVariableNotAUrlButAnAddressGiven_Accepted()
    {
        FirecrawlJobClientOptions options = WithApiUrl("not a url", () => new FirecrawlJobClientOptions { ApiKey = "k", BaseAddress = new Uri("https://firecrawl.internal/") });

        options.Validate();

        Assert.Equal("firecrawl.internal", options.BaseAddress.Host);
    }
}
