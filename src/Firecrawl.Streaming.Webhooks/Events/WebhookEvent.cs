namespace Firecrawl.Streaming.Webhooks;

/// <summary>
/// One verified, de-duplicated webhook delivery: <c>{ success, type, id, webhookId, data, error?, metadata? }</c>, with
/// its pages parsed as the pull stream parses them, so the same <see cref="ScrapedPage"/> reaches sinks and handlers.
/// </summary>
public sealed class WebhookEvent
{
    internal WebhookEvent(string type, WebhookEventType eventType, JobKind kind, string jobId, string? webhookId, bool success, string? error,
        IReadOnlyDictionary<string, string> metadata, IReadOnlyList<ScrapedPage> pages, long sequence)
    {
        Type = type;
        EventType = eventType;
        Kind = kind;
        JobId = jobId;
        WebhookId = webhookId;
        Success = success;
        Error = error;
        Metadata = metadata;
        Pages = pages;
        Sequence = sequence;
    }

    /// <summary>Gets the event's <c>type</c> as sent, e.g. <c>batch_scrape.page</c>.</summary>
    public string Type { get; }

    /// <summary>Gets what the event announces.</summary>
    public WebhookEventType EventType { get; }

    /// <summary>Gets the kind of job (from the <c>type</c>'s prefix).</summary>
    public JobKind Kind { get; }

    /// <summary>Gets the job id (<c>id</c>).</summary>
    public string JobId { get; }

    /// <summary>Gets the delivery's <c>webhookId</c>; a redelivery may carry a new one.</summary>
    public string? WebhookId { get; }

    /// <summary>Gets <c>success</c>: false for a page that failed to scrape.</summary>
    public bool Success { get; }

    /// <summary>Gets <c>error</c>, the reason a page failed.</summary>
    public string? Error { get; }

    /// <summary>Gets <c>metadata</c>: what the job's webhook configuration asked to be copied into every payload.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// Gets the pages (<c>data</c>): one for a page event, none for <c>started</c> and <c>completed</c>. A failed page's
    /// entry holds little more than <c>metadata.sourceURL</c>. <see cref="ScrapedPage.Position"/> is the page's place among
    /// the job's pushed pages, in arrival order.
    /// </summary>
    public IReadOnlyList<ScrapedPage> Pages { get; }

    /// <summary>Gets the event's number in the receiver's journal (the order it was made durable).</summary>
    public long Sequence { get; }

    /// <summary>Gets the URL of a page that failed to scrape, or null.</summary>
    public string? FailedPageUrl => EventType == WebhookEventType.Page && !Success && Pages.Count > 0 ? Pages[0].Url : null;

    /// <inheritdoc/>
    public override string ToString() => $"{Type} {JobId} #{Sequence}";
}
