namespace Firecrawl.Streaming;

/// <summary>
/// The exception of the library: a body that is not what the API promises, a cursor or resume token that
/// does not fit the job, a job that cannot be read to its end, or (as <see cref="FirecrawlApiException"/>)
/// an HTTP error. <see cref="ErrorCode"/> says which.
/// </summary>
/// <remarks>The message never contains the API key.</remarks>
public class JobStreamException : Exception
{
    /// <summary>Creates an exception.</summary>
    public JobStreamException()
        : this("A Firecrawl job could not be read.")
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">The message.</param>
    public JobStreamException(string message)
        : this(message, JobStreamErrorCode.MalformedResponse)
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public JobStreamException(string message, Exception? innerException)
        : this(message, JobStreamErrorCode.Transport, innerException)
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="errorCode">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public JobStreamException(string message, JobStreamErrorCode errorCode, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Gets what went wrong.</summary>
    public JobStreamErrorCode ErrorCode { get; }

    /// <summary>Gets the byte offset in the response body where a malformed body was detected.</summary>
    public long? ByteOffset { get; init; }

    /// <summary>Gets the id of the job being read, when the error concerns one.</summary>
    public string? JobId { get; init; }
}
