namespace Firecrawl.Streaming.Cli.Errors;

/// <summary>
/// A failure the tool has already put into words: the message is the one sentence shown to the user, and
/// <see cref="ExitCode"/> says which kind it is.
/// </summary>
internal sealed class CliException(int exitCode, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>A bad argument or option (exit code 2).</summary>
    public static CliException Usage(string message, Exception? inner = null) => new(ExitCodes.Usage, message, inner);
}
