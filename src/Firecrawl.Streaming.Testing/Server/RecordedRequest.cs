namespace Firecrawl.Streaming.Testing;

/// <summary>A request the fake server received.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path.</param>
/// <param name="Query">The query string, with its <c>?</c>.</param>
/// <param name="Host">The Host header.</param>
/// <param name="Authorization">The Authorization header, if sent.</param>
/// <param name="StatusCode">The status answered: 0 for a start left without an answer (a start fault closed the connection, or the client gave up waiting); the status already set for a body cut short.</param>
public sealed record RecordedRequest(string Method, string Path, string Query, string Host, string? Authorization, int StatusCode)
{
    /// <summary>Gets the body of a start request (<c>POST</c>) as UTF-8 text; null for other requests and for a body the server did not keep (over the size limit).</summary>
    public string? Body { get; init; }

    /// <summary>Gets the <c>x-idempotency-key</c> header, if sent.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Gets the <c>User-Agent</c> header, if sent.</summary>
    public string? UserAgent { get; init; }
}
