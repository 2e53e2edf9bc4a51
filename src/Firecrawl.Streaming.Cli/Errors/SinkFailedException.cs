namespace Firecrawl.Streaming.Cli.Errors;

/// <summary>
/// Marks an exception as coming from a sink, so that the run's failure can be reported as a sink failure
/// (exit code 4) naming the sink, however the sink itself describes the problem.
/// </summary>
internal sealed class SinkFailedException(string sinkName, Exception cause)
    : Exception($"The sink {sinkName} failed: {cause.Message}", cause)
{
    public string SinkName { get; } = sinkName;
}
