namespace Firecrawl.Streaming;

/// <summary>
/// A failure reported by the Firecrawl API or the wire: an HTTP error (with its status and the server's
/// <c>error</c> text), a body that is not what the API promises, or exhausted retries.
/// </summary>
/// <remarks>The message and <see cref="RequestUri"/> never contain the API key or user info.</remarks>
public sealed class FirecrawlApiException : JobStreamException
{
    /// <summary>Creates an exception.</summary>
    public FirecrawlApiException()
        : this("A Firecrawl request failed.")
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">The message.</param>
    public FirecrawlApiException(string message)
        : this(message, JobStreamErrorCode.HttpError)
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public FirecrawlApiException(string message, Exception? innerException)
        : this(message, JobStreamErrorCode.Transport, innerException)
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="errorCode">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public FirecrawlApiException(string message, JobStreamErrorCode errorCode, Exception? innerException = null)
        : base(message, errorCode, innerException)
    {
    }

    /// <summary>Gets the HTTP status of the response, or 0 when there was none.</summary>
    public int Status { get; init; }

    /// <summary>Gets the server's <c>error</c> text, when it sent one.</summary>
    public string? ServerError { get; init; }

    /// <summary>Gets the request URL (it never carries credentials).</summary>
    public Uri? RequestUri { get; init; }

    /// <summary>Gets how long the server asked to wait before retrying (<c>Retry-After</c>, or "retry after Ns" in its message).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// Gets the <c>x-idempotency-key</c> of the start request that failed (see <see cref="StartedJob.IdempotencyKey"/>),
    /// or null when the failure is not a start's.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>
    /// Gets a value indicating whether retrying later may succeed (429, 408, 5xx, transport). Never true for
    /// <see cref="JobStreamErrorCode.StartOutcomeUnknown"/>: a job may already exist, and a blind retry could start a second one.
    /// </summary>
    public bool IsTransient =>
        ErrorCode != JobStreamErrorCode.StartOutcomeUnknown
        && (Status is 408 or 429 or >= 500 || ErrorCode == JobStreamErrorCode.Transport);
}
