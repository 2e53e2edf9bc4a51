using System.Globalization;

namespace Firecrawl.Streaming.Testing;

/// <summary>What a <see cref="FakeStartFault"/> does to the start request (<c>POST</c>) it is applied to.</summary>
public enum FakeStartFaultKind
{
    /// <summary>Answer with an HTTP error status and a JSON error body; no job is created.</summary>
    Status,

    /// <summary>Read the request, then close the connection without answering and without creating a job.</summary>
    CloseBeforeCreate,

    /// <summary>Create the job, then close the connection without answering: the start may have reached the server, and here it did.</summary>
    DropAfterCreate,

    /// <summary>Create the job, then wait before answering (longer than a client's timeout, typically).</summary>
    SlowAnswer,
}

/// <summary>
/// A scripted misbehaviour of a start request (<c>POST /v2/batch/scrape</c> or <c>POST /v2/crawl</c>), queued
/// on <see cref="FakeFirecrawlServer.StartFaults"/>. A fault is used by the next start request that passes
/// authentication and the body size check; it acts after the body has been read (so the request is recorded
/// with its body) and before any validation. The faults that create a job (<see cref="FakeStartFaultKind.DropAfterCreate"/>,
/// <see cref="FakeStartFaultKind.SlowAnswer"/>) only do so for a valid start; an invalid one is answered with its
/// error as usual and uses the fault up.
/// </summary>
public sealed record FakeStartFault
{
    private FakeStartFault(FakeStartFaultKind kind) => Kind = kind;

    /// <summary>Gets what the fault does.</summary>
    public FakeStartFaultKind Kind { get; }

    /// <summary>Gets the HTTP status of a <see cref="FakeStartFaultKind.Status"/> fault.</summary>
    public int StatusCode { get; private init; }

    /// <summary>Gets the error text of a <see cref="FakeStartFaultKind.Status"/> fault.</summary>
    public string? Error { get; private init; }

    /// <summary>Gets the <c>Retry-After</c> header to send, if any.</summary>
    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>Gets the wait of a <see cref="FakeStartFaultKind.SlowAnswer"/> fault.</summary>
    public TimeSpan Delay { get; private init; }

    /// <summary>An HTTP error with <c>{"success":false,"error":...}</c>; nothing is started.</summary>
    /// <param name="statusCode">The status (429, 500, 402, ...).</param>
    /// <param name="error">The error text; a realistic default per status when null.</param>
    /// <param name="retryAfter">A <c>Retry-After</c> header (whole seconds); the 2026 server sends none.</param>
    /// <returns>The fault.</returns>
    public static FakeStartFault Status(int statusCode, string? error = null, TimeSpan? retryAfter = null) =>
        new(FakeStartFaultKind.Status)
        {
            StatusCode = statusCode,
            Error = error ?? DefaultError(statusCode),
            RetryAfter = retryAfter,
        };

    /// <summary>
    /// A 429 whose message carries the delay (<c>... please retry after 12s, resets at ...</c>) and no
    /// <c>Retry-After</c> header, as the 2026 server answers.
    /// </summary>
    /// <param name="retryAfter">The delay the message names (whole seconds, at least 1).</param>
    /// <returns>The fault.</returns>
    public static FakeStartFault RateLimited(TimeSpan retryAfter) =>
        Status(429, RateLimitMessage(Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))));

    /// <summary>Reads the request, then closes the connection: no answer, and no job was created.</summary>
    /// <returns>The fault.</returns>
    public static FakeStartFault CloseBeforeCreate() => new(FakeStartFaultKind.CloseBeforeCreate);

    /// <summary>Creates the job, then closes the connection without answering: the client cannot know the job exists.</summary>
    /// <returns>The fault.</returns>
    public static FakeStartFault DropAfterCreate() => new(FakeStartFaultKind.DropAfterCreate);

    /// <summary>Creates the job, then waits <paramref name="delay"/> before answering (the wait ends early if the client gives up).</summary>
    /// <param name="delay">The wait.</param>
    /// <returns>The fault.</returns>
    public static FakeStartFault SlowAnswer(TimeSpan delay) => new(FakeStartFaultKind.SlowAnswer) { Delay = delay };

    private static string RateLimitMessage(int seconds) => string.Create(
        CultureInfo.InvariantCulture,
        $"Rate limit exceeded. Consumed (req/min): 11, Remaining (req/min): 0. Upgrade your plan at https://firecrawl.dev/pricing for increased rate limits or please retry after {seconds}s, resets at Sat Nov 28 2026 10:00:00 GMT+0000");

    private static string DefaultError(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized: Invalid token",
        402 => "Insufficient credits to perform this request. For more credits, you can upgrade your plan at https://firecrawl.dev/pricing.",
        403 => "Forbidden",
        408 => "Request timed out",
        409 => "Idempotency key already used",
        429 => RateLimitMessage(1),
        _ => "An unexpected error occurred on the server.",
    };
}
