using System.Globalization;

namespace Firecrawl.Streaming;

/// <summary>
/// The seam between the kinds of job and the HTTP layer: the paths of one kind of job (batch scrape or
/// crawl) on the configured origin, and the checks a <c>next</c> link must pass. Everything else about
/// reading a job is shared, because the server answers both from one controller.
/// </summary>
internal sealed class JobEndpoint
{
    public static readonly JobEndpoint BatchScrape = new(JobKind.BatchScrape, "batch/scrape");
    public static readonly JobEndpoint Crawl = new(JobKind.Crawl, "crawl");

    private JobEndpoint(JobKind kind, string path)
    {
        Kind = kind;
        Path = path;
    }

    public JobKind Kind { get; }

    /// <summary>Gets the path under <c>/v2/</c>, e.g. <c>batch/scrape</c>.</summary>
    public string Path { get; }

    /// <summary>Gets the word for this kind of job in messages: "batch scrape" or "crawl".</summary>
    public string Noun => Kind == JobKind.Crawl ? "crawl" : "batch scrape";

    public static JobEndpoint For(JobKind kind) => kind switch
    {
        JobKind.BatchScrape => BatchScrape,
        JobKind.Crawl => Crawl,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a kind of job."),
    };

    /// <summary>The URL that starts a job of this kind (<c>POST</c>).</summary>
    public Uri StartUri(ApiConnection api) => api.Build($"v2/{Path}");

    /// <summary>The URL of the job itself (<c>DELETE</c> cancels it).</summary>
    public Uri JobUri(ApiConnection api, string jobId) => api.Build($"v2/{Path}/{Uri.EscapeDataString(jobId)}");

    /// <summary>The URL of the job's failed scrapes.</summary>
    public Uri ErrorsUri(ApiConnection api, string jobId) => api.Build($"v2/{Path}/{Uri.EscapeDataString(jobId)}/errors");

    /// <summary>The URL of one chunk, always on the configured origin: a <c>next</c> link contributes only its cursor.</summary>
    public Uri StatusUri(ApiConnection api, string jobId, long skip, int? limit)
    {
        string query = skip > 0 ? $"?skip={skip.ToString(CultureInfo.InvariantCulture)}" : string.Empty;
        if (limit is int l)
        {
            query += (query.Length == 0 ? "?" : "&") + "limit=" + l.ToString(CultureInfo.InvariantCulture);
        }

        return api.Build($"v2/{Path}/{Uri.EscapeDataString(jobId)}{query}");
    }

    /// <summary>
    /// Reads the cursor out of a <c>next</c> link. The link is untrusted (its scheme and host come from
    /// whatever Host header reached the server, or from an attacker): only its <c>skip</c> is used, and the
    /// request is rebuilt on the configured origin. A link to another job, or to another kind of job, is refused.
    /// </summary>
    public long ParseNext(string next, string jobId, Uri requestUri)
    {
        if (!Uri.TryCreate(requestUri, next, out Uri? link))
        {
            throw InvalidNext("the next link is not a URL", jobId, requestUri);
        }

        // A link to another job would silently mix two jobs' pages.
        string expected = "/" + Path + "/" + Uri.EscapeDataString(jobId);
        string path = link.AbsolutePath.TrimEnd('/');
        if (!path.EndsWith(expected, StringComparison.OrdinalIgnoreCase))
        {
            throw InvalidNext($"the next link \"{ApiConnection.Quote(link)}\" does not point at {Noun} {jobId}", jobId, requestUri);
        }

        foreach (string pair in link.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && pair.AsSpan(0, equals).Equals("skip", StringComparison.OrdinalIgnoreCase))
            {
                if (long.TryParse(pair.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long skip))
                {
                    return skip;
                }

                throw InvalidNext($"the next link \"{ApiConnection.Quote(link)}\" has an invalid skip", jobId, requestUri);
            }
        }

        return 0;
    }

    private static FirecrawlApiException InvalidNext(string message, string jobId, Uri requestUri) =>
        new($"The response to {requestUri} is unusable: {message}.", JobStreamErrorCode.InvalidCursor) { RequestUri = requestUri, Status = 200, JobId = jobId };
}
