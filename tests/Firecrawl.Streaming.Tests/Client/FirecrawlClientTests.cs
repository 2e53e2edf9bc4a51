using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Client;

[Collection(nameof(ProcessStateTests))]
public class FirecrawlClientTests : FakeServerTestBase
{
    [Fact]
    public async Task GetBatchErrorsAsync_JobWithFailures_ReturnsThem()
    {
        FakeJob job = Server.AddJob(Pages(2), new FakeJobOptions
        {
            Errors = [new FakeScrapeError("https://a.example/x", "Timeout", "SCRAPE_TIMEOUT")],
            RobotsBlocked = ["https://b.example/private"],
        });
        using FirecrawlClient client = Client();

        BatchScrapeErrors errors = await client.GetBatchErrorsAsync(job.Id, Ct);

        BatchScrapeError error = Assert.Single(errors.Errors);
        Assert.Equal(("https://a.example/x", "Timeout", "SCRAPE_TIMEOUT"), (error.Url, error.Error, error.Code));
        Assert.Equal(["https://b.example/private"], errors.RobotsBlocked);
    }

    [Fact]
    public async Task GetBatchErrorsAsync_UnknownJob_Throws404()
    {
        using FirecrawlClient client = Client();

        var error = await Assert.ThrowsAsync<FirecrawlException>(() => client.GetBatchErrorsAsync(Guid.NewGuid().ToString(), Ct));

        Assert.Equal(404, error.Status);
    }

    [Fact]
    public void Constructor_NoKeyAnywhere_ThrowsNamingTheEnvironmentVariable()
    {
        string? saved = Environment.GetEnvironmentVariable(FirecrawlClientOptions.ApiKeyEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(FirecrawlClientOptions.ApiKeyEnvironmentVariable, null);
            var error = Assert.Throws<ArgumentException>(() => new FirecrawlClient(new FirecrawlClientOptions()));
            Assert.Contains("FIRECRAWL_API_KEY", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(FirecrawlClientOptions.ApiKeyEnvironmentVariable, saved);
        }
    }

    [Theory]
    [InlineData("MaxRetries")]
    [InlineData("ChunkLimit")]
    [InlineData("MaxPageBytes")]
    [InlineData("BaseAddress")]
    public void Validate_OutOfRange_NamesTheOption(string name)
    {
        var options = new FirecrawlClientOptions { ApiKey = "k" };
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

    [Fact]
    public void BuildChunkUri_KeepsBasePathAndCursorOnTheConfiguredOrigin()
    {
        using var client = new FirecrawlClient(new FirecrawlClientOptions { ApiKey = "k", BaseAddress = new Uri("https://proxy.example/firecrawl/"), ChunkLimit = 50 });

        Assert.Equal("https://proxy.example/firecrawl/v2/batch/scrape/j%201?skip=30&limit=50", client.BuildChunkUri("j 1", 30).AbsoluteUri);
    }

    [Theory]
    [InlineData("https://evil.example/v2/batch/scrape/job-1?skip=40", 40)]
    [InlineData("http://api.firecrawl.dev/v2/batch/scrape/job-1?limit=10&skip=7", 7)]
    [InlineData("/v2/batch/scrape/job-1?skip=3", 3)]
    [InlineData("https://api.firecrawl.dev/v2/batch/scrape/job-1", 0)]
    public void NextCursor_TakesOnlyTheSkip(string next, long skip)
    {
        Assert.Equal(skip, NextCursor.Parse(next, "job-1", new Uri("https://api.firecrawl.dev/v2/batch/scrape/job-1")));
    }

    [Theory]
    [InlineData("https://api.firecrawl.dev/v2/batch/scrape/other-job?skip=3")]
    [InlineData("https://api.firecrawl.dev/v2/batch/scrape/job-1?skip=-4")]
    [InlineData("http://[bad")]
    public void NextCursor_AnotherJobOrBadCursor_ThrowsInvalidCursor(string next)
    {
        var error = Assert.Throws<FirecrawlException>(() => NextCursor.Parse(next, "job-1", new Uri("https://api.firecrawl.dev/v2/batch/scrape/job-1")));
        Assert.Equal(FirecrawlErrorCode.InvalidCursor, error.ErrorCode);
    }
}
