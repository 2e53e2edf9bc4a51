using System.Text.Json;
using Firecrawl.Streaming.Pipeline;

namespace Firecrawl.Streaming.Cli.Progress;

/// <summary>
/// <c>--json</c>: the run's summary and coverage as one JSON object on one line of standard output, for scripts.
/// Written with <see cref="Utf8JsonWriter"/>: the shape is this file, not a type's reflection.
/// </summary>
internal static class RunReportJson
{
    public static void Write(TextWriter output, RunReport report, string? outcome)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            JobCoverage coverage = report.Coverage;
            json.WriteStartObject();
            json.WriteString("jobId", report.JobId);
            json.WriteString("kind", coverage.Kind == JobKind.Crawl ? "crawl" : "batchScrape");
            json.WriteNumber("exitCode", report.ExitCode);
            json.WriteBoolean("complete", coverage.IsComplete);
            WriteNullable(json, "outcome", outcome);
            json.WriteString("summary", report.Reconciliation.Sentence);
            WriteNullable(json, "status", report.Status?.Status);
            json.WriteNumber("elapsedSeconds", Math.Round(report.Elapsed.TotalSeconds, 3));

            json.WriteStartObject("coverage");
            json.WriteNumber("total", report.Status?.Total ?? 0);
            json.WriteNumber("completed", report.Status?.Completed ?? 0);
            json.WriteNumber("delivered", coverage.TotalDelivered);
            json.WriteNumber("deliveredThisRun", coverage.Delivered);
            json.WriteNumber("deliveredBefore", coverage.DeliveredBefore);
            json.WriteNumber("duplicatesDropped", coverage.DuplicatesDropped);
            json.WriteNumber("repaired", coverage.Repaired);
            json.WriteNumber("failed", coverage.Failed);
            json.WriteNumber("robotsBlocked", coverage.RobotsBlocked);
            json.WriteNumber("deadLettered", coverage.DeadLettered);
            json.WriteNumber("unaccounted", coverage.Unaccounted);
            json.WriteNumber("bytesReceived", coverage.BytesReceived);
            json.WriteNumber("chunksReceived", coverage.ChunksReceived);
            json.WriteEndObject();

            json.WriteStartArray("failedUrls");
            foreach (FailedUrl failed in report.Reconciliation.Failed)
            {
                json.WriteStartObject();
                json.WriteString("url", failed.Url);
                json.WriteString("reason", failed.Reason);
                json.WriteEndObject();
            }

            json.WriteEndArray();

            json.WriteStartArray("sinks");
            foreach (SinkResult sink in report.Result.Sinks)
            {
                json.WriteStartObject();
                json.WriteString("name", sink.Name);
                json.WriteNumber("pagesWritten", sink.PagesWritten);
                json.WriteNumber("bytesWritten", sink.BytesWritten);
                json.WriteNumber("pagesDurable", sink.PagesDurable);
                json.WriteNumber("deadLettered", sink.PagesDeadLettered);
                json.WriteNumber("retries", sink.Retries);
                json.WriteNumber("seconds", Math.Round(sink.Elapsed.TotalSeconds, 3));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteNullable(json, "checkpoint", report.Result.LastCheckpoint);
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
        output.Flush();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
