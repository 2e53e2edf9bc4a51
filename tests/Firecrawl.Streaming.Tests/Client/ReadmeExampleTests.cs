using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Client;

/// <summary>The README's first example, run as written against the fake server.</summary>
public class ReadmeExampleTests : FakeServerTestBase
{
    [Fact]
    public async Task ReadmeExample_RunsAsWritten()
    {
        FakeBatchJob job = Server.AddJob(FakePageGenerator.Generate(30), new FakeJobOptions { PageLimit = 10 });
        var output = new StringWriter();
        string? savedKey = Environment.GetEnvironmentVariable("FIRECRAWL_API_KEY");
        Environment.SetEnvironmentVariable("FIRECRAWL_API_KEY", Server.ApiKey);
        try
        {
            // The README's lines, with the fake server's address and a captured console.
            using var client = new FirecrawlClient(new FirecrawlClientOptions { BaseAddress = Server.BaseAddress });
            BatchJobPages pages = client.StreamBatchAsync(job.Id);
            await foreach (ScrapedPage page in pages)
            {
                output.WriteLine($"#{page.Position} {page.Metadata.StatusCode} {page.Url} — {page.Metadata.Title}");
                output.WriteLine($"   {page.Markdown?.Length ?? 0} chars; job {pages.Status?.Status}: {pages.Status?.Completed}/{pages.Status?.Total}");
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("FIRECRAWL_API_KEY", savedKey);
        }

        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(60, lines.Length);
        Assert.StartsWith("#0 ", lines[0], StringComparison.Ordinal);
        Assert.Contains("job completed: 30/30", lines[^1], StringComparison.Ordinal);
    }
}
