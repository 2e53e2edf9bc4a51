namespace Firecrawl.Streaming;

/// <summary>Sorts the failures of a start into those that certainly never reached the server and those that may have.</summary>
internal static class StartFailures
{
    /// <summary>The failures a start reports itself; anything else (a bug, the caller's cancellation) passes through.</summary>
    public static bool IsFailure(Exception error) =>
        error is FirecrawlApiException or HttpRequestException or IOException or TimeoutException or OperationCanceledException;

    /// <summary>The exception for a failure that was not retried.</summary>
    public static FirecrawlApiException Classify(Exception error, JobEndpoint endpoint, Uri uri, string key, bool retried) => error switch
    {
        // A 5xx (or 408) came from something that received the request: the job may have been created before it failed.
        FirecrawlApiException { ErrorCode: JobStreamErrorCode.HttpError, Status: >= 500 or 408 } http =>
            OutcomeUnknown(endpoint, uri, key, $"Firecrawl answered {http.Status}{(http.ServerError is null ? "" : ": " + http.ServerError)}", http, http.Status, http.ServerError),

        // The key is spent only by a start that reached the idempotency check: an earlier attempt got further than it seemed.
        FirecrawlApiException { ErrorCode: JobStreamErrorCode.HttpError, Status: 409 } http when retried =>
            OutcomeUnknown(endpoint, uri, key, "a retry was told its idempotency key was already used, so an earlier attempt reached the server", http, http.Status, http.ServerError),

        FirecrawlApiException api => WithKey(api, key),

        TimeoutException or OperationCanceledException => OutcomeUnknown(endpoint, uri, key, $"no answer in time: {error.Message}", error),

        _ => OutcomeUnknown(endpoint, uri, key, $"the connection broke after the request was sent: {error.Message}", error),
    };

    /// <summary>A start whose request may have arrived but whose answer did not: the job may or may not exist.</summary>
    public static FirecrawlApiException OutcomeUnknown(JobEndpoint endpoint, Uri uri, string key, string reason, Exception? inner, int status = 0, string? serverError = null)
    {
        string activity = endpoint.Kind == JobKind.Crawl ? "crawl" : "batch_scrape";
        return new FirecrawlApiException(
            $"Starting the {endpoint.Noun} may have reached Firecrawl, but no usable answer came back ({reason}). A job may exist, " +
            $"so do not start it again blindly: look for it first (GET /v2/team/activity?endpoint={activity} lists the jobs of the last 24 hours) " +
            $"and start again only if it is not there. The start was sent with idempotency key {key}.",
            JobStreamErrorCode.StartOutcomeUnknown,
            inner)
        {
            RequestUri = uri,
            Status = status,
            ServerError = serverError,
            IdempotencyKey = key,
        };
    }

    /// <summary>The same failure, carrying the start's key; a 4xx other than a retry's 409 means no job was started, and says so.</summary>
    public static FirecrawlApiException WithKey(FirecrawlApiException error, string key)
    {
        string message = error is { ErrorCode: JobStreamErrorCode.HttpError, Status: >= 400 and < 500 }
            ? error.Message + " No job was started."
            : error.Message;
        return new FirecrawlApiException(message, error.ErrorCode, error)
        {
            Status = error.Status,
            ServerError = error.ServerError,
            RequestUri = error.RequestUri,
            RetryAfter = error.RetryAfter,
            JobId = error.JobId,
            ByteOffset = error.ByteOffset,
            IdempotencyKey = key,
        };
    }
}
