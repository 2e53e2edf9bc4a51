using Microsoft.Extensions.Logging;

namespace Firecrawl.Streaming;

/// <summary>
/// The library's log events, source-generated, with stable ids (the README lists them). What they may carry: URLs
/// without query or credentials (<c>ApiConnection.Quote</c>), job ids, counts, delays and exception messages, which the
/// library words without the key. Never the key, never page content.
/// </summary>
internal static partial class Log
{
    // 1xx: HTTP requests.
    [LoggerMessage(100, LogLevel.Debug, "Sending {Method} {Url}")]
    public static partial void RequestSent(ILogger logger, string method, string url);

    [LoggerMessage(101, LogLevel.Debug, "{Method} {Url} answered {Status} in {ElapsedMs:0.#} ms")]
    public static partial void ResponseReceived(ILogger logger, string method, string url, int status, double elapsedMs);

    [LoggerMessage(102, LogLevel.Warning, "{Method} {Url} failed: {Reason}")]
    public static partial void RequestFailed(ILogger logger, string method, string url, string reason);

    [LoggerMessage(103, LogLevel.Warning, "Retrying {Url} in {DelayMs:0} ms (retry {Attempt} of {MaxRetries}, reason {Reason}): {Error}")]
    public static partial void RequestRetrying(ILogger logger, string url, double delayMs, int attempt, int maxRetries, string reason, string error);

    [LoggerMessage(104, LogLevel.Warning, "Rate limited on {Url}: waiting {DelayMs:0} ms before retry {Attempt} of {MaxRetries}")]
    public static partial void RateLimited(ILogger logger, string url, double delayMs, int attempt, int maxRetries);

    [LoggerMessage(105, LogLevel.Warning, "Refused a redirect of {Method} {Url} to {Target}")]
    public static partial void RedirectRefused(ILogger logger, string method, string url, string target);

    [LoggerMessage(106, LogLevel.Error, "{Url} failed after {Retries} retries: {Error}")]
    public static partial void RetriesExhausted(ILogger logger, string url, int retries, string error);

    // 2xx: job streams.
    [LoggerMessage(200, LogLevel.Information, "Streaming {Noun} {JobId}")]
    public static partial void StreamStarted(ILogger logger, string noun, string jobId);

    [LoggerMessage(201, LogLevel.Information, "Resuming {Noun} {JobId} after position {Position}")]
    public static partial void StreamResumed(ILogger logger, string noun, string jobId, long position);

    [LoggerMessage(202, LogLevel.Debug, "{Noun} {JobId} is {Status} ({Completed}/{Total}) with nothing new: polling again in {DelayMs:0} ms")]
    public static partial void Polling(ILogger logger, string noun, string jobId, string status, long completed, long total, double delayMs);

    [LoggerMessage(203, LogLevel.Error, "{Noun} {JobId} stalled: {Status} for {Timeout} without a new page or a change in its counts")]
    public static partial void Stalled(ILogger logger, string noun, string jobId, string status, TimeSpan timeout);

    [LoggerMessage(204, LogLevel.Information, "{Noun} {JobId}: looking back over offsets {Start}..{Frontier} for pages the server's moving offsets hid")]
    public static partial void GapRepairStarted(ILogger logger, string noun, string jobId, long start, long frontier);

    [LoggerMessage(205, LogLevel.Information, "{Noun} {JobId}: gap repair found {Found} pages ({Requests} requests so far)")]
    public static partial void GapRepairFinished(ILogger logger, string noun, string jobId, int found, long requests);

    [LoggerMessage(206, LogLevel.Information, "Finished {Noun} {JobId}: {Delivered} pages delivered, {Duplicates} duplicates dropped, {Repaired} repaired, {Bytes} bytes")]
    public static partial void StreamFinished(ILogger logger, string noun, string jobId, long delivered, long duplicates, long repaired, long bytes);

    // 3xx: the pipeline, its sinks and checkpoints.
    [LoggerMessage(300, LogLevel.Warning, "Sink {Sink}: {Operation} of {Pages} pages failed, retrying in {DelayMs:0} ms (retry {Attempt}): {Error}")]
    public static partial void SinkRetrying(ILogger logger, string sink, string operation, int pages, double delayMs, int attempt, string error);

    [LoggerMessage(301, LogLevel.Error, "Sink {Sink} failed; the run stops after saving what every sink made durable: {Error}")]
    public static partial void SinkFailed(ILogger logger, string sink, string error);

    [LoggerMessage(302, LogLevel.Debug, "Checkpoint saved: {Pages} pages durable in every sink")]
    public static partial void CheckpointSaved(ILogger logger, long pages);

    [LoggerMessage(303, LogLevel.Information, "Resuming {JobId} from the checkpoint ({Pages} pages already durable)")]
    public static partial void ResumingFromCheckpoint(ILogger logger, string jobId, long pages);

    [LoggerMessage(304, LogLevel.Warning, "Sink {Sink}: page {Key} set aside in the dead-letter file: {Error}")]
    public static partial void DeadLettered(ILogger logger, string sink, string key, string error);
}
