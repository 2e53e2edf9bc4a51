using System.Text.Json.Serialization;

namespace Firecrawl.Streaming;

/// <summary>
/// Where Firecrawl posts a job's events (the <c>webhook</c> object of a start request). Deliveries are retried
/// only a few times and can be lost or repeated, so a webhook is a notification, not a complete record of the job.
/// </summary>
public sealed record JobWebhook
{
    /// <summary>Gets the URL the events are posted to.</summary>
    [JsonPropertyName("url")]
    public required Uri Url { get; init; }

    /// <summary>Gets headers sent with every delivery (an authorization token, say). Default: none.</summary>
    [JsonPropertyName("headers")]
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Gets metadata copied into every payload; the server accepts string values only. Default: none.</summary>
    [JsonPropertyName("metadata")]
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// Gets the events to send: <c>started</c>, <c>page</c>, <c>completed</c> (<c>failed</c> is documented but batch
    /// scrapes never send it). Default: null, every event.
    /// </summary>
    [JsonPropertyName("events")]
    public IReadOnlyList<string>? Events { get; init; }
}
