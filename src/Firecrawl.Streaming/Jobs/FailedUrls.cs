namespace Firecrawl.Streaming;

/// <summary>Which URLs of a job are worth scraping again.</summary>
internal static class FailedUrls
{
    /// <summary>
    /// The URLs of the failed scrapes, each once, in the order reported. URLs that robots.txt blocked are left out:
    /// scraping them again would be refused again.
    /// </summary>
    public static string[] From(JobErrors errors)
    {
        var blocked = new HashSet<string>(errors.RobotsBlocked, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return [.. errors.Errors
            .Select(failure => failure.Url)
            .OfType<string>()
            .Where(url => !string.IsNullOrWhiteSpace(url) && !blocked.Contains(url) && seen.Add(url))];
    }
}
