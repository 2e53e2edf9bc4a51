namespace Firecrawl.Streaming.Cli.Errors;

/// <summary>The exit codes of <c>fcstream</c>, one per kind of failure, so scripts can tell them apart.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>Something failed that none of the other codes describe (a bug, or an unexpected environment).</summary>
    public const int Unexpected = 1;

    /// <summary>
    /// A bad or missing argument: unknown sink scheme, bad <c>--fields</c>, a malformed URL or number, no API key,
    /// no storage connection string for a <c>blob:</c> sink, an unusable checkpoint file, no index to search.
    /// </summary>
    public const int Usage = 2;

    /// <summary>The API answered with an error: the key was rejected, the job was not found or has expired, the rate limit held, a malformed response.</summary>
    public const int Api = 3;

    /// <summary>A sink could not be opened or failed to write (disk, permissions, storage service, index).</summary>
    public const int Sink = 4;

    /// <summary>The API could not be reached: connection refused, DNS failure, timeouts, after the retries.</summary>
    public const int Unreachable = 5;

    /// <summary>
    /// The job finished but pages it reports <c>completed</c> were neither delivered nor listed as failed or
    /// robots-blocked. Everything received was written and checkpointed first.
    /// </summary>
    public const int Incomplete = 6;

    /// <summary>The job itself ended <c>failed</c> or <c>cancelled</c> on the server; every page it produced was delivered.</summary>
    public const int JobEnded = 7;

    /// <summary>Stopped by Ctrl+C (or the caller's cancellation), as shells report for SIGINT.</summary>
    public const int Cancelled = 130;

    /// <summary>Stopped by SIGTERM (after the same clean, resumable stop as Ctrl+C), as shells report for it (128 + 15).</summary>
    public const int Terminated = 143;
}
