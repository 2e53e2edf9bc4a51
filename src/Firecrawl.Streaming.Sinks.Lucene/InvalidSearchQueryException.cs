namespace Firecrawl.Streaming.Sinks.Lucene;

/// <summary>
/// A search query that cannot be run: bad syntax (an unclosed bracket or quote, a dangling operator), a number field
/// given text, or a wildcard that matches too many terms. The message says what is wrong in one line, fit to print.
/// </summary>
/// <remarks>It is an <see cref="ArgumentException"/> without a parameter name, so its message carries no suffix.</remarks>
public sealed class InvalidSearchQueryException : ArgumentException
{
    /// <summary>Creates an exception with no details.</summary>
    public InvalidSearchQueryException()
        : base("The search query is not valid.")
    {
        Query = string.Empty;
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public InvalidSearchQueryException(string message)
        : base(message)
    {
        Query = string.Empty;
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidSearchQueryException(string message, Exception innerException)
        : base(message, innerException)
    {
        Query = string.Empty;
    }

    /// <summary>Creates an exception for a query.</summary>
    /// <param name="query">The query as given.</param>
    /// <param name="reason">What is wrong with it.</param>
    /// <param name="innerException">The parser's exception.</param>
    public InvalidSearchQueryException(string query, string reason, Exception? innerException)
        : base($"Invalid search query \"{query}\": {reason}", innerException)
    {
        Query = query;
        Reason = reason;
    }

    /// <summary>Gets the query as given, or an empty string when unknown.</summary>
    public string Query { get; }

    /// <summary>Gets what is wrong with the query, without the query itself.</summary>
    public string Reason { get; } = "The search query is not valid.";
}
