namespace Firecrawl.Streaming.Tests.Http;

public sealed class JobEndpointTests
{
    [Fact]
    public void StatusUri_KeepsBasePathAndCursorOnTheConfiguredOrigin()
    {
        using var api = new ApiConnection(null, new FirecrawlJobClientOptions { ApiKey = "k", BaseAddress = new Uri("https://proxy.example/firecrawl/") });

        Assert.Equal("https://proxy.example/firecrawl/v2/batch/scrape/j%201?skip=30&limit=50", JobEndpoint.BatchScrape.StatusUri(api, "j 1", 30, 50).AbsoluteUri);
        Assert.Equal("https://proxy.example/firecrawl/v2/crawl/j%201?skip=30", JobEndpoint.Crawl.StatusUri(api, "j 1", 30, null).AbsoluteUri);
    }

    [Fact]
    public void StatusUri_BaseAddressWithUserInfo_NeverCarriesIt()
    {
        using var api = new ApiConnection(null, new FirecrawlJobClientOptions { ApiKey = "k", BaseAddress = new Uri("https://user:secret@proxy.example/") });

        Uri uri = JobEndpoint.Crawl.StatusUri(api, "j", 0, null);

        Assert.Equal("https://proxy.example/v2/crawl/j", uri.AbsoluteUri);
        Assert.DoesNotContain("secret", uri.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://evil.example/v2/batch/scrape/job-1?skip=40", 40)]
    [InlineData("http://api.firecrawl.dev/v2/batch/scrape/job-1?limit=10&skip=7", 7)]
    [InlineData("/v2/batch/scrape/job-1?skip=3", 3)]
    [InlineData("https://api.firecrawl.dev/v2/batch/scrape/job-1", 0)]
    public void ParseNext_BatchScrape_TakesOnlyTheSkip(string next, long skip)
    {
        Assert.Equal(skip, JobEndpoint.BatchScrape.ParseNext(next, "job-1", new Uri("https://api.firecrawl.dev/v2/batch/scrape/job-1")));
    }

    [Theory]
    [InlineData("https://evil.example/v2/crawl/job-1?skip=40", 40)]
    [InlineData("/v2/crawl/job-1?skip=3&limit=5", 3)]
    public void ParseNext_Crawl_TakesOnlyTheSkip(string next, long skip)
    {
        Assert.Equal(skip, JobEndpoint.Crawl.ParseNext(next, "job-1", new Uri("https://api.firecrawl.dev/v2/crawl/job-1")));
    }

    [Theory]
    [InlineData("https://api.firecrawl.dev/v2/batch/scrape/other-job?skip=3")]
    [InlineData("https://api.firecrawl.dev/v2/batch/scrape/job-1?skip=-4")]
    [InlineData("https://api.firecrawl.dev/v2/crawl/job-1?skip=3")]
    [InlineData("http://[bad")]
    public void ParseNext_AnotherJobOrKindOrBadCursor_ThrowsInvalidCursor(string next)
    {
        var error = Assert.Throws<FirecrawlApiException>(() => JobEndpoint.BatchScrape.ParseNext(next, "job-1", new Uri("https://api.firecrawl.dev/v2/batch/scrape/job-1")));
        Assert.Equal(JobStreamErrorCode.InvalidCursor, error.ErrorCode);
    }
}
