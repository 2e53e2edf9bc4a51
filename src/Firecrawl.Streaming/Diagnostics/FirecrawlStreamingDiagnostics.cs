using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Firecrawl.Streaming;

/// <summary>
/// The names the library's telemetry is published under: subscribe to them to collect its spans and metrics
/// (with OpenTelemetry: <c>AddSource(FirecrawlStreamingDiagnostics.ActivitySourceName)</c> and
/// <c>AddMeter(FirecrawlStreamingDiagnostics.MeterName)</c>).
/// </summary>
public static class FirecrawlStreamingDiagnostics
{
    /// <summary>
    /// The name of the <see cref="ActivitySource"/> of the library's spans: <c>firecrawl.job.stream</c> (one enumeration of
    /// a job), <c>firecrawl.chunk.request</c> (one request for a chunk, the parent of the HTTP client's span),
    /// <c>firecrawl.sink.write</c> (one batch written to a sink), <c>firecrawl.sink.flush</c> and <c>firecrawl.checkpoint</c>.
    /// </summary>
    public const string ActivitySourceName = "Firecrawl.Streaming";

    /// <summary>The name of the <see cref="Meter"/> of the library's instruments (the client's and the pipeline's).</summary>
    public const string MeterName = "Firecrawl.Streaming";

    /// <summary>The name the library's loggers are created under (a category prefix: <c>Firecrawl.Streaming.Http</c>, <c>.Paging</c>, <c>.Pipeline</c>).</summary>
    public const string LoggerCategory = "Firecrawl.Streaming";

    /// <summary>The library's version, as in the <c>User-Agent</c> header: the informational version without its commit suffix.</summary>
    internal static readonly string Version = ReadVersion();

    internal static readonly ActivitySource Source = new(ActivitySourceName, Version);

    /// <summary>The meter used when no <see cref="IMeterFactory"/> is given: one per process, shared by clients and pipelines.</summary>
    internal static readonly Meter SharedMeter = new(MeterName, Version);

    /// <summary>The meter of a factory, or the shared one.</summary>
    internal static Meter MeterFor(IMeterFactory? factory) => factory?.Create(new MeterOptions(MeterName) { Version = Version }) ?? SharedMeter;

    private static string ReadVersion()
    {
        string? version = typeof(FirecrawlStreamingDiagnostics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(version))
        {
            return "0.0.0";
        }

        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
