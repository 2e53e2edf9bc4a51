namespace Firecrawl.Streaming.Cli;

/// <summary>The process exit codes of <c>fcstream</c>.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Usage = 2;
    public const int Api = 3;
    public const int Sink = 4;
    public const int Cancelled = 130;
}

/// <summary>A failure the user can fix, already phrased as one sentence for standard error.</summary>
internal sealed class CliException(string sentence, int exitCode = ExitCodes.Usage) : Exception(sentence)
{
    public int ExitCode { get; } = exitCode;
}
