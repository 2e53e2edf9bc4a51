namespace Firecrawl.Streaming.Webhooks;

/// <summary>What the receiver did with a delivery, and so what it answers.</summary>
public enum WebhookReceipt
{
    /// <summary>New and durable in the journal: 200.</summary>
    Accepted,

    /// <summary>Already held (same <c>webhookId</c>, the same page of the job, or a job already closed): 200, nothing stored.</summary>
    Duplicate,

    /// <summary>The signature is missing or wrong: 401, nothing stored.</summary>
    Unauthorized,

    /// <summary>Not JSON, or not a webhook payload: 400, nothing stored.</summary>
    Malformed,

    /// <summary>The journal is full or failing, the receiver is stopping, or too many requests are in progress: 503, so the server delivers again later.</summary>
    Unavailable,
}
