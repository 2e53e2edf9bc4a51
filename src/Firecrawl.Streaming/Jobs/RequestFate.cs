namespace Firecrawl.Streaming;

/// <summary>Whether a failed request can have reached the API, which decides whether a request that is not a GET may be sent again.</summary>
internal static class RequestFate
{
    /// <summary>
    /// Whether the request certainly did not reach the API, so sending it again cannot start a second job: no
    /// connection was made (refused, no DNS answer, no TLS session, no proxy tunnel), or a 429 turned it away.
    /// A dropped connection, a timeout or a 5xx is not among them: the request was written and may have been acted on.
    /// </summary>
    public static bool NeverArrived(Exception error) => error switch
    {
        FirecrawlApiException { ErrorCode: JobStreamErrorCode.HttpError, Status: 429 } => true,
        HttpRequestException
        {
            HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError,
        } => true,
        _ => false,
    };
}
