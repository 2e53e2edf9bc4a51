using System.Globalization;

namespace Firecrawl.Streaming.Cli.Progress;

/// <summary>
/// Progress as plain <c>key=value</c> lines, one snapshot a second, for logs and scripts: used when standard
/// error is not a terminal, or when standard output carries pages (<c>jsonl:-</c>) and an animation would
/// only get in the way.
/// </summary>
/// <example>
/// <code>
/// progress pages=120 total=500 status=scraping mb=3.2 rate=250/s
/// sink name=lucene:./index pages=100 queue=20
/// summary sink=lucene:./index pages=500 mb=12.31 seconds=4.20
/// done delivered=500 completed=500 status=completed mb=12.8 chunks=5 seconds=4.6
/// </code>
/// </example>
internal sealed class PlainDisplay(TextWriter error) : IRunDisplay
{
    private readonly Lock _lock = new();

    public TimeSpan ProgressInterval => TimeSpan.FromSeconds(1);

    public async Task<T> ShowAsync<T>(RunMonitor monitor, Func<Task<T>> run)
    {
        monitor.Reported += Write;
        try
        {
            return await run().ConfigureAwait(false);
        }
        finally
        {
            monitor.Reported -= Write;
        }
    }

    public void Summary(RunReport report)
    {
        lock (_lock)
        {
            foreach (Pipeline.SinkResult sink in report.Result.Sinks)
            {
                Emit($"summary sink={Value(sink.Name)} pages={sink.PagesWritten} mb={Mb(sink.BytesWritten)} seconds={Seconds(sink.Elapsed)}");
            }

            JobStatus? status = report.Status;
            Emit($"done delivered={report.Delivered} completed={(status is null ? "?" : status.Completed.ToString(CultureInfo.InvariantCulture))} status={status?.Status ?? "?"} mb={report.MegabytesReceived:0.0} chunks={report.Chunks} seconds={Seconds(report.Elapsed)} {report.CoverageFields()}");
            Line(report.Reconciliation.Sentence);
            foreach (FailedUrl failed in report.Reconciliation.Failed)
            {
                Emit($"failed url={Value(failed.Url)} error={Value(failed.Reason)}");
            }

            if (report.Reconciliation.FailedNotShown > 0)
            {
                Emit($"failed more={report.Reconciliation.FailedNotShown}");
            }

            error.Flush();
        }
    }

    /// <summary>A value as one token: quoted when it holds spaces, quotes or '='.</summary>
    public static string Value(string text) =>
        text.Length > 0 && !text.Any(c => char.IsWhiteSpace(c) || c is '"' or '=')
            ? text
            : "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).ReplaceLineEndings(" ") + "\"";

    private void Write(RunSnapshot snapshot)
    {
        lock (_lock)
        {
            Emit($"progress pages={snapshot.Pages} total={(snapshot.Total is long total ? total.ToString(CultureInfo.InvariantCulture) : "?")} status={snapshot.Status} mb={snapshot.MegabytesReceived:0.0} rate={snapshot.PagesPerSecond:0}/s");
            foreach (Pipeline.SinkProgress sink in snapshot.Sinks)
            {
                Emit($"sink name={Value(sink.Name)} pages={sink.PagesWritten} queue={sink.QueueDepth}");
            }

            error.Flush();
        }
    }

    private void Emit(FormattableString line) => error.WriteLine(line.ToString(CultureInfo.InvariantCulture));

    private void Line(string line) => error.WriteLine(line);

    private static string Mb(long bytes) => (bytes / 1_048_576d).ToString("0.00", CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);
}
