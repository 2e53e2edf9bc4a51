namespace Firecrawl.Streaming.Webhooks;

/// <summary>What a webhook delivery announces (the part of its <c>type</c> after the dot).</summary>
public enum WebhookEventType
{
    /// <summary><c>batch_scrape.started</c>, <c>crawl.started</c>: the job began; no pages.</summary>
    Started,

    /// <summary><c>batch_scrape.page</c>, <c>crawl.page</c>: one page finished, or failed (<see cref="WebhookEvent.Success"/> false).</summary>
    Page,

    /// <summary><c>batch_scrape.completed</c>, <c>crawl.completed</c>: the job finished; read the rest from the status endpoint.</summary>
    Completed,

    /// <summary><c>*.failed</c>: listed by some documentation; the 2026 server does not send it for batch scrapes.</summary>
    Failed,

    /// <summary><c>crawl.cancelled</c> (newer servers).</summary>
    Cancelled,
}
