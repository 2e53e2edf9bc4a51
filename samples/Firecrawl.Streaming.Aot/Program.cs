using Firecrawl.Streaming;
using Firecrawl.Streaming.Testing;

// The README's "Read a job" example, compiled ahead of time:
//   Firecrawl.Streaming.Aot <batch-job-id>        streams a real batch scrape (FIRECRAWL_API_KEY, FIRECRAWL_API_URL)
//   Firecrawl.Streaming.Aot --fake-server [PAGES]  starts the testing kit's fake server here and streams a job from it
FakeFirecrawlServer? server = null;
var options = new FirecrawlJobClientOptions();
string? jobId;
if (args is ["--fake-server", ..])
{
    int count = args.Length > 1 && int.TryParse(args[1], out int n) && n > 0 ? n : 250;
    server = await FakeFirecrawlServer.StartAsync();
    jobId = server.AddJob(FakePageGenerator.Generate(count), new FakeJobOptions { PageLimit = 100 }).Id;
    options.BaseAddress = server.BaseAddress;
    options.ApiKey = server.ApiKey;
}
else if (args is [string id] && !id.StartsWith('-'))
{
    jobId = id;
}
else
{
    Console.Error.WriteLine("usage: Firecrawl.Streaming.Aot <batch-job-id> | --fake-server [PAGES]");
    return 2;
}

try
{
    using var client = new FirecrawlJobClient(options);
    JobPages pages = client.StreamBatchScrapeAsync(jobId);
    await foreach (ScrapedPage page in pages)
    {
        Console.WriteLine($"#{page.Position} {page.Metadata.StatusCode} {page.Url} — {page.Metadata.Title}");
        Console.WriteLine($"   {page.Markdown?.Length ?? 0} chars; job {pages.Status?.Status}: {pages.Status?.Completed}/{pages.Status?.Total}");
    }

    JobCoverage coverage = pages.Coverage;
    Console.WriteLine($"{coverage.TotalDelivered} pages of {coverage.Status?.Total} delivered; complete: {coverage.IsComplete}.");
    return coverage.IsComplete ? 0 : 1;
}
catch (JobStreamException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
finally
{
    if (server is not null)
    {
        await server.DisposeAsync();
    }
}
