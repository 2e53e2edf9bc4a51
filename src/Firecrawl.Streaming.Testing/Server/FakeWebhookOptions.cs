namespace Firecrawl.Streaming.Testing;

/// <summary>
/// How <see cref="FakeFirecrawlServer"/> pushes a job's webhook events: signed like the real server, with its
/// retries, and with the misbehaviour real deliveries show (pages never delivered, repeats, new ids on redelivery).
/// </summary>
public sealed class FakeWebhookOptions
{
    /// <summary>Gets or sets the secret deliveries are signed with (<c>X-Firecrawl-Signature: sha256=…</c>); null sends no signature. Default: null.</summary>
    public string? Secret { get; set; }

    /// <summary>Gets or sets a seed to push the pages in a shuffled order; null pushes them in job order. Default: null.</summary>
    public int? ShuffleSeed { get; set; }

    /// <summary>Gets or sets the indexes of pages never pushed (as when deliveries are given up): only the status endpoint has them. Default: none.</summary>
    public IReadOnlyCollection<int> SkipPages { get; set; } = [];

    /// <summary>Gets or sets the indexes of pages pushed a second time with the same <c>webhookId</c>. Default: none.</summary>
    public IReadOnlyCollection<int> RepeatPages { get; set; } = [];

    /// <summary>Gets or sets the indexes of pages pushed a second time with a new <c>webhookId</c>, as the direct delivery path does. Default: none.</summary>
    public IReadOnlyCollection<int> RepeatWithNewId { get; set; } = [];

    /// <summary>Gets or sets URLs pushed as failed pages (<c>success: false</c>, <c>data: [{metadata: {sourceURL}}]</c>). Default: none.</summary>
    public IReadOnlyList<string> FailedUrls { get; set; } = [];

    /// <summary>Gets or sets whether the <c>started</c> event is sent. Default: true.</summary>
    public bool SendStarted { get; set; } = true;

    /// <summary>Gets or sets whether the <c>completed</c> event is sent (batch scrapes that fail or are cancelled send none). Default: true.</summary>
    public bool SendCompleted { get; set; } = true;

    /// <summary>Gets or sets how many times one delivery is attempted before it is given up (the real server: 4, over about 21 minutes). Default: 4.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Gets or sets the wait before each retry (the real server waits about 1, 5 and 15 minutes). Default: 50 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Gets or sets the most deliveries in flight at once (the real server sends pages as they finish, concurrently). Default: 1.</summary>
    public int Concurrency { get; set; } = 1;

    /// <summary>Gets or sets headers sent with every delivery. Default: none.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>();

    /// <summary>Gets or sets the <c>metadata</c> copied into every payload. Default: none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; set; } = new Dictionary<string, string>();

    /// <summary>Gets or sets which events are sent (<c>started</c>, <c>page</c>, <c>completed</c>, or with the kind's prefix); null: all. Default: null.</summary>
    public IReadOnlyCollection<string>? Events { get; set; }
}

/// <summary>One attempt to deliver one event.</summary>
/// <param name="Type">The event's type, e.g. <c>batch_scrape.page</c>.</param>
/// <param name="WebhookId">The delivery's <c>webhookId</c>.</param>
/// <param name="PageIndex">The page's index in the job, or -1.</param>
/// <param name="Attempt">1 for the first attempt.</param>
/// <param name="StatusCode">The receiver's answer, or 0 when the connection failed.</param>
public sealed record FakeWebhookDelivery(string Type, string WebhookId, int PageIndex, int Attempt, int StatusCode);
