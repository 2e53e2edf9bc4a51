using System.Globalization;

namespace Firecrawl.Streaming;

/// <summary>
/// Reads the cursor out of a <c>next</c> link. The link is untrusted (its scheme and host come from
/// whatever Host header reached the server, or from an attacker); only its <c>skip</c> is used, and
/// the request is rebuilt on the configured origin.
/// </summary>
internal static class NextCursor
{
    public static long Parse(string next, string jobId, Uri requestUri)
    {
        if (!Uri.TryCreate(requestUri, next, out Uri? link))
        {
            throw Invalid("the next link is not a URL", requestUri);
        }

        // A link to another job would silently mix two jobs' pages.
        string expected = "/batch/scrape/" + Uri.EscapeDataString(jobId);
        string path = link.AbsolutePath.TrimEnd('/');
        if (!path.EndsWith(expected, StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid($"the next link \"{Quote(link)}\" does not point at job {jobId}", requestUri);
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

                throw Invalid($"the next link \"{Quote(link)}\" has an invalid skip", requestUri);
            }
        }

        return 0;
    }

    private static FirecrawlException Invalid(string message, Uri requestUri) =>
        new($"The response to {requestUri} is unusable: {message}.", FirecrawlErrorCode.InvalidCursor) { RequestUri = requestUri, Status = 200 };

    // Without its query: an untrusted link may carry anything there, the key included.
    private static string Quote(Uri link)
    {
        string text = link.GetLeftPart(UriPartial.Path);
        return text.Length <= 200 ? text : text[..200] + "...";
    }
}
