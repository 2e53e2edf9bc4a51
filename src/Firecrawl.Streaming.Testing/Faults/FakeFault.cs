namespace Firecrawl.Streaming.Testing;

/// <summary>What a <see cref="FakeFault"/> does to the response it is applied to.</summary>
public enum FakeFaultKind
{
    /// <summary>Answer with an HTTP error status and a JSON error body.</summary>
    Status,

    /// <summary>Send part of the real body, then abort the connection.</summary>
    DropAfterBytes,

    /// <summary>Send the body a few bytes at a time, with a delay between writes.</summary>
    Trickle,

    /// <summary>Send part of the body, then go silent for a while before sending the rest.</summary>
    StallAfterBytes,

    /// <summary>Send a complete HTTP 200 response whose JSON is broken.</summary>
    MalformedJson,

    /// <summary>Send an HTML error page, as a proxy or gateway does.</summary>
    Html,

    /// <summary>Build the <c>next</c> link on another origin.</summary>
    ForeignNext,

    /// <summary>Start the chunk with pages the previous chunk already held, as shifting offsets do.</summary>
    DuplicatePages,

    /// <summary>HTTP 200 with <c>"success": false</c>: a job that failed to start.</summary>
    SuccessFalse,

    /// <summary>Answer with a redirect status and a <c>Location</c> header instead of the chunk.</summary>
    Redirect,

    /// <summary>HTTP 200 with an empty body (<c>Content-Length: 0</c>).</summary>
    EmptyBody,

    /// <summary>HTTP 200 declaring the full <c>Content-Length</c>, closed after part of the body (a proxy cutting it short).</summary>
    CutBody,

    /// <summary>The chunk carries a <c>next</c> link to the very <c>skip</c> it was fetched with, even on a finished job (a server bug).</summary>
    SelfReferencingNext,

    /// <summary>Invalid UTF-8 inside a string value of the chunk's first page; the JSON structure stays valid.</summary>
    InvalidUtf8,

    /// <summary>Hold the request before the listing is read, then answer normally: a response built after later requests' ones.</summary>
    DelayBeforeListing,
}

/// <summary>
/// A scripted misbehaviour of the fake server, applied to one status request of a job
/// (see <see cref="FakeFaultScript"/>).
/// </summary>
public sealed record FakeFault
{
    private FakeFault(FakeFaultKind kind) => Kind = kind;

    /// <summary>Gets what the fault does.</summary>
    public FakeFaultKind Kind { get; }

    /// <summary>Gets the HTTP status for <see cref="FakeFaultKind.Status"/> and <see cref="FakeFaultKind.Html"/>.</summary>
    public int StatusCode { get; private init; } = 200;

    /// <summary>Gets the error text of the body.</summary>
    public string? Error { get; private init; }

    /// <summary>Gets the <c>Retry-After</c> header to send, if any.</summary>
    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>Gets the byte count after which the fault acts.</summary>
    public long Bytes { get; private init; }

    /// <summary>Gets the delay of a stall or between trickled writes.</summary>
    public TimeSpan Delay { get; private init; }

    /// <summary>Gets the origin of a foreign <c>next</c> link.</summary>
    public Uri? Origin { get; private init; }

    /// <summary>Gets the number of repeated pages.</summary>
    public int Count { get; private init; }

    /// <summary>Gets the target of a <see cref="FakeFaultKind.Redirect"/>.</summary>
    public Uri? Location { get; private init; }

    /// <summary>An HTTP error (429, 5xx, any 4xx) with <c>{"success":false,"error":...}</c>.</summary>
    /// <param name="statusCode">The status.</param>
    /// <param name="error">The error text; a realistic default per status when null.</param>
    /// <param name="retryAfter">A <c>Retry-After</c> header (whole seconds).</param>
    /// <returns>The fault.</returns>
    public static FakeFault Status(int statusCode, string? error = null, TimeSpan? retryAfter = null) =>
        new(FakeFaultKind.Status) { StatusCode = statusCode, Error = error ?? DefaultError(statusCode), RetryAfter = retryAfter };

    /// <summary>A 404 for an expired job.</summary>
    /// <returns>The fault.</returns>
    public static FakeFault Expired() => Status(404, "Job expired");

    /// <summary>Sends <paramref name="bytes"/> bytes of the real body, then aborts the connection.</summary>
    /// <param name="bytes">How much of the body gets through.</param>
    /// <returns>The fault.</returns>
    public static FakeFault DropAfterBytes(long bytes) => new(FakeFaultKind.DropAfterBytes) { Bytes = bytes };

    /// <summary>Sends the body <paramref name="bytesPerWrite"/> bytes at a time.</summary>
    /// <param name="bytesPerWrite">Bytes per write.</param>
    /// <param name="delay">Pause after each write.</param>
    /// <returns>The fault.</returns>
    public static FakeFault Trickle(int bytesPerWrite, TimeSpan delay) => new(FakeFaultKind.Trickle) { Bytes = bytesPerWrite, Delay = delay };

    /// <summary>Sends <paramref name="bytes"/> bytes, flushes, stays silent for <paramref name="stall"/>, then sends the rest.</summary>
    /// <param name="bytes">Bytes sent before the stall.</param>
    /// <param name="stall">How long to stay silent.</param>
    /// <returns>The fault.</returns>
    public static FakeFault StallAfterBytes(long bytes, TimeSpan stall) => new(FakeFaultKind.StallAfterBytes) { Bytes = bytes, Delay = stall };

    /// <summary>
    /// Holds the request for <paramref name="delay"/> before the server reads the job's listing, then answers normally: the
    /// response reflects the listing as it is after requests that arrived later (late commits they revealed included).
    /// </summary>
    /// <param name="delay">How long to hold the request.</param>
    /// <returns>The fault.</returns>
    public static FakeFault DelayBeforeListing(TimeSpan delay) => new(FakeFaultKind.DelayBeforeListing) { Delay = delay };

    /// <summary>Sends everything up to the end of the first page, then stalls (the rest follows after <paramref name="stall"/>).</summary>
    /// <param name="stall">How long to stay silent.</param>
    /// <returns>The fault.</returns>
    public static FakeFault StallAfterFirstPage(TimeSpan stall) => new(FakeFaultKind.StallAfterBytes) { Bytes = -1, Delay = stall };

    /// <summary>A complete 200 response whose JSON breaks in the middle.</summary>
    /// <returns>The fault.</returns>
    public static FakeFault MalformedJson() => new(FakeFaultKind.MalformedJson);

    /// <summary>An HTML error page with <c>text/html</c>.</summary>
    /// <param name="statusCode">The status (200 for a proxy that hides the error).</param>
    /// <returns>The fault.</returns>
    public static FakeFault Html(int statusCode = 200) => new(FakeFaultKind.Html) { StatusCode = statusCode };

    /// <summary>Builds the <c>next</c> link on <paramref name="origin"/> instead of the request's host.</summary>
    /// <param name="origin">The foreign origin.</param>
    /// <returns>The fault.</returns>
    public static FakeFault ForeignNext(Uri origin) => new(FakeFaultKind.ForeignNext) { Origin = origin };

    /// <summary>Starts the chunk with the last <paramref name="count"/> pages of the previous chunk.</summary>
    /// <param name="count">How many pages repeat.</param>
    /// <returns>The fault.</returns>
    public static FakeFault DuplicatePages(int count) => new(FakeFaultKind.DuplicatePages) { Count = count };

    /// <summary>HTTP 200 <c>{"success":false,"status":"failed","error":...}</c>.</summary>
    /// <param name="error">The error text.</param>
    /// <returns>The fault.</returns>
    public static FakeFault SuccessFalse(string error) => new(FakeFaultKind.SuccessFalse) { Error = error };

    /// <summary>Answers with <paramref name="status"/> and <c>Location: <paramref name="location"/></c> (another origin, or the same one with another path or query).</summary>
    /// <param name="location">The absolute URL to redirect to.</param>
    /// <param name="status">301, 302, 303, 307 or 308.</param>
    /// <returns>The fault.</returns>
    public static FakeFault Redirect(Uri location, int status = 302)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (!location.IsAbsoluteUri)
        {
            throw new ArgumentException("The location must be an absolute URL.", nameof(location));
        }

        if (status is not (301 or 302 or 303 or 307 or 308))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A redirect status is 301, 302, 303, 307 or 308.");
        }

        return new(FakeFaultKind.Redirect) { StatusCode = status, Location = location };
    }

    /// <summary>HTTP 200 with <c>Content-Length: 0</c> and no body, as some proxies answer.</summary>
    /// <returns>The fault.</returns>
    public static FakeFault EmptyBody() => new(FakeFaultKind.EmptyBody);

    /// <summary>
    /// HTTP 200 with <c>Content-Length</c> set to the whole body, but the connection closed after
    /// <paramref name="bytes"/> bytes. Unlike <see cref="DropAfterBytes"/> (a chunked body that never ends), the
    /// client knows how much was promised.
    /// </summary>
    /// <param name="bytes">How much of the body gets through (capped at the body's length minus one, so it is always short).</param>
    /// <returns>The fault.</returns>
    public static FakeFault CutBody(long bytes) => new(FakeFaultKind.CutBody) { Bytes = bytes };

    /// <summary>
    /// The chunk's <c>next</c> points at the <c>skip</c> (and <c>limit</c>) it was fetched with, even when the job
    /// has finished. One request is affected per fault: enqueue several at the same <c>skip</c> for a server
    /// that repeats the bug.
    /// </summary>
    /// <returns>The fault.</returns>
    public static FakeFault SelfReferencingNext() => new(FakeFaultKind.SelfReferencingNext);

    /// <summary>
    /// Replaces three ASCII letters inside a string value of the chunk's first page (its <c>markdown</c> when it
    /// has one) with <c>0xFF 0xFE 0xE6</c>: two bytes that never occur in UTF-8, then a lead byte whose
    /// sequence is cut short. The JSON structure stays valid. A chunk without pages is sent unchanged.
    /// </summary>
    /// <returns>The fault.</returns>
    public static FakeFault InvalidUtf8() => new(FakeFaultKind.InvalidUtf8);

    private static string DefaultError(int status) => status switch
    {
        400 => "Invalid job ID",
        401 => "Unauthorized: Invalid token",
        402 => "Payment required to access this resource.",
        403 => "Forbidden",
        404 => "Job not found",
        408 => "Request timed out",
        409 => "Conflict",
        429 => "Rate limit exceeded. Consumed (req/min): 101, Remaining (req/min): 0. Upgrade your plan at https://firecrawl.dev/pricing for increased rate limits or please retry after 1s, resets at Sat Nov 28 2026 10:00:00 GMT+0000",
        _ => "An unexpected error occurred on the server.",
    };
}
