using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Firecrawl.Streaming;

/// <summary>Options for <see cref="FirecrawlJobClient"/>. Every property has a documented default; <see cref="Validate"/> checks them all.</summary>
public sealed class FirecrawlJobClientOptions
{
    /// <summary>The environment variable read when <see cref="ApiKey"/> is not set.</summary>
    public const string ApiKeyEnvironmentVariable = "FIRECRAWL_API_KEY";

    /// <summary>The environment variable read for <see cref="BaseAddress"/>'s default, as the official SDKs do.</summary>
    public const string ApiUrlEnvironmentVariable = "FIRECRAWL_API_URL";

    /// <summary>The public API's address.</summary>
    public static readonly Uri DefaultBaseAddress = new("https://api.firecrawl.dev");

    // FIRECRAWL_API_URL when it was set but is not an absolute URI: Validate names it rather than silently using the public API.
    private readonly string? _invalidApiUrl;

    /// <summary>Creates options with the documented defaults (reading <c>FIRECRAWL_API_URL</c> for <see cref="BaseAddress"/>).</summary>
    public FirecrawlJobClientOptions()
    {
        string? url = Environment.GetEnvironmentVariable(ApiUrlEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(url))
        {
            BaseAddress = DefaultBaseAddress;
        }
        else if (Uri.TryCreate(url.Trim(), UriKind.Absolute, out Uri? fromEnvironment) && fromEnvironment.Scheme is "http" or "https")
        {
            BaseAddress = fromEnvironment;
        }
        else
        {
            BaseAddress = DefaultBaseAddress;
            _invalidApiUrl = url;
        }
    }

    /// <summary>
    /// Gets or sets the API key. Default: the <c>FIRECRAWL_API_KEY</c> environment variable.
    /// It is sent only to <see cref="BaseAddress"/>, and never appears in messages or logs.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Gets or sets the API's origin. Default: the <c>FIRECRAWL_API_URL</c> environment variable, else
    /// <c>https://api.firecrawl.dev</c>. Every request, including those that follow a <c>next</c> link, goes to this origin.
    /// </summary>
    public Uri BaseAddress { get; set; }

    /// <summary>Gets or sets how many times a transient failure (429, 408, 5xx, a dropped or stalled connection) is retried. Default: 5.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>
    /// Gets or sets how hard a stream may look back for pages the server's moving offsets hid from its cursor (gap
    /// repair; see <see cref="JobPages"/>): at most this many × (⌈log2 n⌉ + 2) small requests per stream, n being the
    /// job's page count, which finds about this many late pages. Beyond it the stream fails with
    /// <see cref="JobStreamErrorCode.Incomplete"/>; 0 makes any shift that needs a look back fail. Default: 32.
    /// </summary>
    public int MaxGapRepairs { get; set; } = 32;

    /// <summary>Gets or sets the first retry delay; later ones double, with jitter. Default: 1 second.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest delay between retries, including a server's <c>Retry-After</c>. Default: 2 minutes.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets how long to wait before asking again when a still-scraping job had nothing new. Default: 2 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Gets or sets how long a response body may deliver no bytes before the connection is treated as
    /// dropped and the chunk is retried. <see cref="System.Net.Http.HttpClient.Timeout"/> stops at the headers. Default: 30 seconds.
    /// </summary>
    public TimeSpan BodyIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how long to wait for a response's headers, whatever the <see cref="System.Net.Http.HttpClient.Timeout"/>
    /// of an injected client (an infinite one would otherwise wait for ever). A timeout is retried like a dropped connection. Default: 100 seconds.
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Gets or sets how long a job may report <c>scraping</c> without a new page or a change in its counts
    /// before the stream gives up with <see cref="JobStreamErrorCode.CursorStalled"/>. Default: 30 minutes.
    /// </summary>
    public TimeSpan JobStallTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Gets or sets the <c>limit</c> query parameter (1..1000 documents per response), or <see langword="null"/> for the
    /// server's default (about 100). Default: 1000, the most the server accepts, so that its 10 MiB response cap and not
    /// the document count sizes each chunk. A server that refuses the parameter (400) is asked again without it, and the
    /// stream goes on at the server's default, one chunk at a time.
    /// </summary>
    public int? ChunkLimit { get; set; } = 1000;

    /// <summary>
    /// Gets or sets how many response bodies of a job a stream transfers at once (parallel <c>skip</c> ranges up to the
    /// job's <c>completed</c> count). Requests go out ahead of the transfers, about one measured time to first byte before
    /// a transfer is expected to end, so the server's latency overlaps other bodies downloading; at most 3 × this many
    /// are open at once. Pages are still yielded strictly in job order: bodies that arrive early are held, at most
    /// 16 MiB each and at most this many, until their turn. A 429 halves the number in flight (and waits as the server
    /// says); successes grow it back one at a time, never above this. 1 reads one body at a time (the next one's request
    /// still goes out while the current one downloads). Default: 2 (measured: see bench/README.md, benchmark 5).
    /// </summary>
    public int MaxConcurrency { get; set; } = 2;

    /// <summary>
    /// Gets or sets the largest page (its JSON, in bytes) the parser accepts; a larger one fails with
    /// <see cref="JobStreamErrorCode.PageTooLarge"/> instead of exhausting memory. Default: 256 MiB.
    /// </summary>
    public int MaxPageBytes { get; set; } = 256 * 1024 * 1024;

    /// <summary>Gets or sets the size of the buffers the response body is read into. Default: 64 KiB.</summary>
    public int ReadBufferSize { get; set; } = 64 * 1024;

    /// <summary>Gets or sets the clock used for retry delays, polling and timeouts. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Gets or sets the factory of the client's loggers (categories under <c>Firecrawl.Streaming</c>; events and ids in the
    /// README). Default: null, no logging. Set from the container by <c>AddFirecrawlStreaming</c>.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Gets or sets the factory of the <c>"Firecrawl.Streaming"</c> meter the client's instruments are created on.
    /// Default: null, a meter shared by the process. Set from the container by <c>AddFirecrawlStreaming</c>.
    /// </summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>Gets the API key to use: <see cref="ApiKey"/>, else the environment variable.</summary>
    /// <returns>The key, or <see langword="null"/>.</returns>
    public string? ResolveApiKey()
    {
        string? key = string.IsNullOrWhiteSpace(ApiKey) ? Environment.GetEnvironmentVariable(ApiKeyEnvironmentVariable) : ApiKey;
        return string.IsNullOrWhiteSpace(key) ? null : key.Trim();
    }

    /// <summary>Checks every option, naming the first one that is out of range.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        OptionRules.Require(_invalidApiUrl is null || !ReferenceEquals(BaseAddress, DefaultBaseAddress), ApiUrlEnvironmentVariable, "must be an absolute http or https URI");
        OptionRules.Require(BaseAddress is { IsAbsoluteUri: true, Scheme: "http" or "https" }, nameof(BaseAddress), "must be an absolute http or https URI");

        OptionRules.Require(MaxRetries >= 0, nameof(MaxRetries), "must be zero or more");
        OptionRules.Require(MaxGapRepairs >= 0, nameof(MaxGapRepairs), "must be zero or more");
        OptionRules.Require(RetryBaseDelay >= TimeSpan.Zero, nameof(RetryBaseDelay), "must not be negative");
        OptionRules.Require(MaxRetryDelay >= RetryBaseDelay, nameof(MaxRetryDelay), "must be at least RetryBaseDelay");
        OptionRules.Require(PollInterval >= TimeSpan.Zero, nameof(PollInterval), "must not be negative");
        OptionRules.Require(ResponseTimeout > TimeSpan.Zero, nameof(ResponseTimeout), "must be positive");
        OptionRules.Require(BodyIdleTimeout > TimeSpan.Zero, nameof(BodyIdleTimeout), "must be positive");
        OptionRules.Require(JobStallTimeout > TimeSpan.Zero, nameof(JobStallTimeout), "must be positive");
        OptionRules.Require(ChunkLimit is null or (>= 1 and <= 1000), nameof(ChunkLimit), "must be between 1 and 1000");
        OptionRules.Require(MaxConcurrency is >= 1 and <= 64, nameof(MaxConcurrency), "must be between 1 and 64");
        OptionRules.Require(MaxPageBytes >= 1024, nameof(MaxPageBytes), "must be at least 1024");
        OptionRules.Require(ReadBufferSize is >= 512 and <= 16 * 1024 * 1024, nameof(ReadBufferSize), "must be between 512 bytes and 16 MiB");
        OptionRules.Require(TimeProvider is not null, nameof(TimeProvider), "must not be null");
    }

    /// <summary>
    /// Creates a handler with the settings the client's own <see cref="HttpClient"/> uses: automatic decompression
    /// (gzip, deflate, brotli), connections recycled every 5 minutes (so DNS changes are seen), a 30-second connect
    /// timeout, and no automatic redirects (the client decides on redirects itself, refusing any to another origin).
    /// Use it as the primary handler of an <see cref="HttpClient"/> you pass to the client (<c>AddFirecrawlStreaming</c> does).
    /// </summary>
    /// <returns>A new handler.</returns>
    public static SocketsHttpHandler CreateHttpHandler() => new()
    {
        AutomaticDecompression = System.Net.DecompressionMethods.All,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(30),

        // Redirects are decided by the client, where the origin rule is applied.
        AllowAutoRedirect = false,
    };

    /// <summary>The logger of requests and retries (set by the client on its own copy of the options).</summary>
    internal ILogger HttpLogger { get; set; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>The client's instruments (set by the client on its own copy of the options).</summary>
    internal ClientMetrics? Metrics { get; set; }

    internal FirecrawlJobClientOptions Clone() => (FirecrawlJobClientOptions)MemberwiseClone();
}
