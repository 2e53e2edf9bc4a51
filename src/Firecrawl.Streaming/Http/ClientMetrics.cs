using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Firecrawl.Streaming;

/// <summary>
/// The client's instruments: <c>firecrawl.client.request.duration</c> (histogram, s; tags <c>http.request.method</c>,
/// <c>http.response.status_code</c> or <c>error.type</c>) and <c>firecrawl.client.retries</c> (counter; tag
/// <c>firecrawl.retry.reason</c>: <c>rate_limited</c>, <c>server_error</c>, <c>request_timeout</c>, <c>timeout</c>,
/// <c>connection</c>).
/// </summary>
internal sealed class ClientMetrics
{
    public const string ReasonTag = "firecrawl.retry.reason";

    private static readonly ConditionalWeakTable<Meter, ClientMetrics> s_byMeter = [];

    private ClientMetrics(Meter meter)
    {
        RequestDuration = meter.CreateHistogram<double>(
            "firecrawl.client.request.duration", "s", "Time from sending a request to its response headers.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] });
        Retries = meter.CreateCounter<long>("firecrawl.client.retries", "{retry}", "Requests tried again after a transient failure, by reason.");
    }

    public Histogram<double> RequestDuration { get; }

    public Counter<long> Retries { get; }

    /// <summary>The instruments on the factory's meter, or on the shared one (created once per meter).</summary>
    public static ClientMetrics For(IMeterFactory? factory) =>
        s_byMeter.GetValue(FirecrawlStreamingDiagnostics.MeterFor(factory), static m => new ClientMetrics(m));

    public void RecordRequest(string method, TimeSpan elapsed, int? status, string? errorType)
    {
        var tags = new TagList { { "http.request.method", method } };
        if (status is int code)
        {
            tags.Add("http.response.status_code", code);
        }

        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        RequestDuration.Record(elapsed.TotalSeconds, tags);
    }

    public void RecordRetry(string reason) => Retries.Add(1, new KeyValuePair<string, object?>(ReasonTag, reason));

    /// <summary>Why a transient failure is retried, as the <c>firecrawl.retry.reason</c> tag and the log say it.</summary>
    public static string ReasonOf(Exception error) => error switch
    {
        FirecrawlApiException { Status: 429 } => "rate_limited",
        FirecrawlApiException { Status: 408 } => "request_timeout",
        FirecrawlApiException { Status: >= 500 } => "server_error",
        TimeoutException or OperationCanceledException => "timeout",
        _ => "connection",
    };
}
