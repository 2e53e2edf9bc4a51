using System.Globalization;

namespace Firecrawl.Streaming;

/// <summary>The checks a start request must pass before it is sent, and their messages.</summary>
internal static class StartRules
{
    private const int QuotedUrls = 5;

    /// <summary>
    /// The URLs must be there; with <c>ignoreInvalidURLs: false</c> they must all be valid too (the server would
    /// refuse the whole start for one bad URL). Otherwise invalid ones are left for the server to list.
    /// </summary>
    public static void CheckBatch(BatchScrapeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Urls is null || request.Urls.Count == 0)
        {
            throw new ArgumentException("A batch scrape needs at least one URL.", nameof(request));
        }

        int missing = IndexOfNull(request.Urls);
        if (missing >= 0)
        {
            throw new ArgumentException($"Urls[{missing}] is null; every URL must be a string.", nameof(request));
        }

        if (request.IgnoreInvalidUrls != false)
        {
            return;
        }

        string[] invalid = [.. request.Urls.Where(url => !IsScrapable(url))];
        if (invalid.Length > 0)
        {
            string quoted = string.Join(", ", invalid.Take(QuotedUrls).Select(Quote));
            string more = invalid.Length > QuotedUrls ? $" and {invalid.Length - QuotedUrls} more" : "";
            throw new ArgumentException(
                $"{invalid.Length} of the {request.Urls.Count} URLs are not absolute http or https URLs: {quoted}{more}. " +
                "Fix them, or leave IgnoreInvalidUrls unset (or true) to have the server skip them and list them in StartedJob.InvalidUrls.",
                nameof(request));
        }
    }

    /// <summary>A crawl needs one valid start URL: the server refuses anything else.</summary>
    public static void CheckCrawl(CrawlRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsScrapable(request.Url))
        {
            throw new ArgumentException($"The crawl's Url must be an absolute http or https URL; got {Quote(request.Url)}.", nameof(request));
        }
    }

    /// <summary>What the server takes as a URL it can scrape: absolute, http or https, with a host.</summary>
    public static bool IsScrapable(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out Uri? uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Host.Length > 0;

    /// <summary>
    /// A body over the limit: the documented choice is to refuse it rather than split it, because one start is one
    /// job with one id, and several jobs started behind the caller's back would each need tracking, cancelling and
    /// retrying. The message says roughly how many URLs fit, from the average size of those given.
    /// </summary>
    public static ArgumentException TooLarge(long bodyBytes, int urls, long urlBytes, string paramName)
    {
        string size = bodyBytes.ToString("N0", CultureInfo.InvariantCulture);
        string limit = StartBodies.MaxBodyBytes.ToString("N0", CultureInfo.InvariantCulture);
        if (urls <= 1 || urlBytes <= 0)
        {
            return new ArgumentException($"The start request is {size} bytes of JSON, more than the {limit} bytes Firecrawl accepts; shorten its options.", paramName);
        }

        long overhead = bodyBytes - urlBytes;
        long fit = Math.Max(0, (StartBodies.MaxBodyBytes - overhead) * urls / urlBytes);
        return new ArgumentException(
            $"The batch scrape request is {size} bytes of JSON, more than the {limit} bytes Firecrawl accepts: " +
            $"{urls.ToString("N0", CultureInfo.InvariantCulture)} URLs were given, and about {fit.ToString("N0", CultureInfo.InvariantCulture)} fit in one request. " +
            "Split the list into several batch scrapes; the client does not split it for you, so that one call starts exactly one job.",
            paramName);
    }

    private static int IndexOfNull(IReadOnlyList<string> urls)
    {
        for (int i = 0; i < urls.Count; i++)
        {
            if (urls[i] is null)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Quote(string? url) =>
        url is null ? "null" : "\"" + (url.Length <= 100 ? url : url[..100] + "...") + "\"";
}
