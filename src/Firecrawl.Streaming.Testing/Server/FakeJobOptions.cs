namespace Firecrawl.Streaming.Testing;

/// <summary>How a fake job pages and behaves. Defaults match the real server.</summary>
public sealed class FakeJobOptions
{
    /// <summary>Gets or sets the documents per response when the request names no <c>limit</c>. Default: 100.</summary>
    public int PageLimit { get; set; } = 100;

    /// <summary>
    /// Gets or sets the size a response stops at, counted as the real server does: UTF-16 code units of each
    /// document's JSON. A single larger document is sent alone. Default: 10 MiB.
    /// </summary>
    public long ChunkByteCap { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// Gets or sets how many status requests see the job still <c>scraping</c>, with its pages finishing
    /// progressively; the first sees none. 0: the job is finished from the start. Default: 0.
    /// </summary>
    public int ScrapingRequests { get; set; }

    /// <summary>Gets or sets the status once scraping is over: completed, failed or cancelled. Default: completed.</summary>
    public string FinalStatus { get; set; } = "completed";

    /// <summary>Gets or sets a value indicating whether the last chunk of a finished job still carries a <c>next</c> link to an empty chunk (older servers). Default: false.</summary>
    public bool NextOnFinishedJob { get; set; }

    /// <summary>Gets or sets a value indicating whether <c>next</c> is written after <c>data</c> instead of before it. Default: false (before, as the real server does).</summary>
    public bool NextAfterData { get; set; }

    /// <summary>Gets or sets a delay before each response's headers (the time to first byte of a remote server). Default: none.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>
    /// Gets or sets the bandwidth of each connection, in bytes per second: a status body is written in slices no faster
    /// than this, as over a real link (several connections each get this much). Null: as fast as loopback. Default: null.
    /// </summary>
    public long? BytesPerSecond { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a status request naming a <c>limit</c> is refused with 400, as a server
    /// that does not know the parameter might. Default: false.
    /// </summary>
    public bool RejectsLimit { get; set; }

    /// <summary>Gets or sets the credits the job reports. Default: one per page.</summary>
    public long? CreditsUsed { get; set; }

    /// <summary>Gets or sets the failed scrapes the errors endpoint (<c>GET /v2/batch/scrape/{id}/errors</c> or <c>GET /v2/crawl/{id}/errors</c>) returns.</summary>
    public IReadOnlyList<FakeScrapeError> Errors { get; set; } = [];

    /// <summary>Gets or sets the URLs the errors endpoint reports as blocked by robots.txt.</summary>
    public IReadOnlyList<string> RobotsBlocked { get; set; } = [];

    /// <summary>
    /// Gets or sets whether the job is a batch scrape or a crawl, which decides its routes. Read once, when the
    /// job is added; later changes are ignored. Default: <see cref="FakeJobKind.BatchScrape"/>.
    /// </summary>
    public FakeJobKind Kind { get; set; }

    /// <summary>Gets or sets the pages that commit late and shift the offsets behind them (see <see cref="FakeLateCommit"/>). Default: none.</summary>
    public IReadOnlyList<FakeLateCommit> LateCommits { get; set; } = [];
}

/// <summary>One failed scrape, as the errors endpoint reports it.</summary>
/// <param name="Url">The URL.</param>
/// <param name="Error">The reason.</param>
/// <param name="Code">An error code.</param>
public sealed record FakeScrapeError(string Url, string Error, string? Code = null);
