namespace Firecrawl.Streaming;

/// <summary>
/// The one exception type of the library: an HTTP error (with its status and the server's <c>error</c>
/// text), a body that is not what the API promises, or exhausted retries.
/// </summary>
/// <remarks>The message and <see cref="RequestUri"/> never contain the API key.</remarks>
public sealed class FirecrawlException : Exception
{
    /// <summary>Creates an exception.</summary>
    public FirecrawlException()
        : this("A Firecrawl request failed.")
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">The message.</param>
    public FirecrawlException(string message)
        : this(message, FirecrawlErrorCode.HttpError)
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public FirecrawlException(string message, Exception? innerException)
        : this(message, FirecrawlErrorCode.Transport, innerException)
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="errorCode">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public FirecrawlException(string message, FirecrawlErrorCode errorCode, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Gets what went wrong.</summary>
    public FirecrawlErrorCode ErrorCode { get; }

    /// <summary>Gets the HTTP status of the response, or 0 when there was none.</summary>
    public int Status { get; init; }

    /// <summary>Gets the server's <c>error</c> text, when it sent one.</summary>
    public string? ServerError { get; init; }

    /// <summary>Gets the request URL (it never carries credentials).</summary>
    public Uri? RequestUri { get; init; }

    /// <summary>Gets the byte offset in the response body where a malformed body was detected.</summary>
    public long? ByteOffset { get; init; }

    /// <summary>Gets how long the server asked to wait before retrying (<c>Retry-After</c>, or "retry after Ns" in its message).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Gets a value indicating whether retrying later may succeed (429, 408, 5xx, transport).</summary>
    public bool IsTransient => Status is 408 or 429 or >= 500 || ErrorCode == FirecrawlErrorCode.Transport;
}
