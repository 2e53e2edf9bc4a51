using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Client;

[Collection(nameof(ProcessStateTests))]
public class FirecrawlJobClientTests : FakeServerTestBase
{
    [Fact]
    public async Task GetErrorsAsync_JobWithFailures_ReturnsThem()
    {
        FakeJob job = Server.AddJob(Pages(2), new FakeJobOptions
        {
            Errors = [new FakeScrapeError("https://a.example/x", "Timeout", "SCRAPE_TIMEOUT")],
            RobotsBlocked = ["https://b.example/private"],
        });
        using FirecrawlJobClient client = Client();

        JobErrors errors = await client.GetErrorsAsync(JobKind.BatchScrape, job.Id, Ct);

        ScrapeFailure error = Assert.Single(errors.Errors);
        Assert.Equal(("https://a.example/x", "Timeout", "SCRAPE_TIMEOUT"), (error.Url, error.Error, error.Code));
        Assert.Equal(["https://b.example/private"], errors.RobotsBlocked);
    }

    [Fact]
    public async Task GetErrorsAsync_UnknownJob_Throws404()
    {
        using FirecrawlJobClient client = Client();

        var error = await Assert.ThrowsAsync<FirecrawlApiException>(() => client.GetErrorsAsync(JobKind.BatchScrape, Guid.NewGuid().ToString(), Ct));

        Assert.Equal(404, error.Status);
    }

    [Fact]
    public void Constructor_NoKeyAnywhere_ThrowsNamingTheEnvironmentVariable()
    {
        string? saved = Environment.GetEnvironmentVariable(FirecrawlJobClientOptions.ApiKeyEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(FirecrawlJobClientOptions.ApiKeyEnvironmentVariable, null);
            var error = Assert.Throws<ArgumentException>(() => new FirecrawlJobClient(new FirecrawlJobClientOptions()));
            Assert.Contains("FIRECRAWL_API_KEY", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(FirecrawlJobClientOptions.ApiKeyEnvironmentVariable, saved);
        }
    }

    [Theory]
    [InlineData("MaxRetries")]
    [InlineData("ChunkLimit")]
    [InlineData("MaxPageBytes")]
    [InlineData("BaseAddress")]
    public void Validate_OutOfRange_NamesTheOption(string name)
    {
        var options = new FirecrawlJobClientOptions { ApiKey = "k" };
        switch (name)
        {
            case "MaxRetries": options.MaxRetries = -1; break;
            case "ChunkLimit": options.ChunkLimit = 5000; break;
            case "MaxPageBytes": options.MaxPageBytes = 10; break;
            default: options.BaseAddress = new Uri("ftp://x/"); break;
        }

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(name, error.ParamName);
    }
}
