namespace Firecrawl.Streaming.Testing;

/// <summary>Options for <see cref="FakeFirecrawlServer"/>.</summary>
public sealed class FakeServerOptions
{
    /// <summary>Gets or sets the only bearer token the server accepts. Default: <c>fc-test-key</c>.</summary>
    public string ApiKey { get; set; } = "fc-test-key";

    /// <summary>Gets or sets the largest start request body accepted; a larger one gets 413. Default: 10 MB (10,000,000 bytes), as the real server.</summary>
    public long MaxRequestBodyBytes { get; set; } = 10_000_000;

    /// <summary>
    /// Gets or sets the team's credits, read when the server starts (what remains is
    /// <see cref="FakeFirecrawlServer.RemainingCredits"/>). A batch start whose <c>urls</c> count (valid or not)
    /// exceeds what remains gets 402 and starts nothing; a started batch uses one credit per URL submitted. A
    /// crawl start with no credit left gets 402; a crawl finds no more pages than the credits left and uses one
    /// per page it finds. Null: unlimited. Default: null.
    /// </summary>
    public long? Credits { get; set; }

    /// <summary>Gets or sets how many pages a started crawl finds at most (its <c>limit</c>, 10 when absent, caps it further). Default: 25.</summary>
    public int CrawlSiteSize { get; set; } = 25;

    /// <summary>
    /// Gets or sets the factory for the paging options of jobs started through <c>POST</c> (called once per
    /// start; <see cref="FakeJobOptions.Kind"/> is then set by the server). Default: a <c>scraping</c> phase of
    /// 3 status requests, so a reader sees the job still running.
    /// </summary>
    public Func<FakeJobOptions> StartedJobOptions { get; set; } = () => new FakeJobOptions { ScrapingRequests = 3 };

    /// <summary>
    /// Gets or sets how jobs started with a <c>webhook</c> push their events (see <see cref="FakeJob.WebhookPush"/>);
    /// called once per start. Null: started jobs push nothing. Default: null.
    /// </summary>
    public Func<FakeWebhookOptions>? Webhooks { get; set; }
}
