using Firecrawl.Streaming.Cli.Commands;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.IO;

namespace Firecrawl.Streaming.Cli.Running;

/// <summary>Builds the library's client from what a command was given: the key (from the option or the environment, redacted from every message), the API's address, retries and polling.</summary>
internal static class ApiClients
{
    public const string ApiKeyVariable = FirecrawlJobClientOptions.ApiKeyEnvironmentVariable;

    public static FirecrawlJobClient Create(CliConsole console, Redactor redactor, ApiSettings api, TimeSpan? pollInterval = null, TimeSpan? retryBaseDelay = null)
    {
        string? key = string.IsNullOrWhiteSpace(api.ApiKey) ? console.GetVariable(ApiKeyVariable) : api.ApiKey;
        if (string.IsNullOrWhiteSpace(key))
        {
            throw CliException.Usage($"No Firecrawl API key: pass --api-key or set {ApiKeyVariable}.");
        }

        redactor.Add(key);
        Uri baseAddress = api.ApiUrl
            ?? SharedOptions.ParseApiUrl(console.GetVariable(FirecrawlJobClientOptions.ApiUrlEnvironmentVariable), FirecrawlJobClientOptions.ApiUrlEnvironmentVariable)
            ?? FirecrawlJobClientOptions.DefaultBaseAddress;
        var options = new FirecrawlJobClientOptions { ApiKey = key.Trim(), BaseAddress = baseAddress };
        if (api.MaxRetries is int retries)
        {
            options.MaxRetries = retries;
        }

        if (api.ChunkLimit is int limit)
        {
            options.ChunkLimit = limit;
        }

        if (api.Concurrency is int concurrency)
        {
            options.MaxConcurrency = concurrency;
        }

        if (pollInterval is TimeSpan poll)
        {
            options.PollInterval = poll;
        }

        if (retryBaseDelay is TimeSpan delay)
        {
            options.RetryBaseDelay = delay;
            options.MaxRetryDelay = TimeSpan.FromTicks(Math.Max(delay.Ticks * 32, options.MaxRetryDelay.Ticks / 8));
        }

        try
        {
            return new FirecrawlJobClient(options);
        }
        catch (ArgumentException e)
        {
            throw CliException.Usage(ErrorReporter.WithoutParameter(e), e);
        }
    }

    /// <summary>The kind of job an id names: as given with <c>--crawl</c>, else asked of the API.</summary>
    public static async Task<JobKind> KindOfAsync(FirecrawlJobClient client, string jobId, bool crawl, CancellationToken cancellationToken) =>
        crawl ? JobKind.Crawl : await client.DetectJobKindAsync(jobId, cancellationToken).ConfigureAwait(false);

    /// <summary>"batch scrape" or "crawl", for sentences.</summary>
    public static string Noun(JobKind kind) => kind == JobKind.Crawl ? "crawl" : "batch scrape";
}
