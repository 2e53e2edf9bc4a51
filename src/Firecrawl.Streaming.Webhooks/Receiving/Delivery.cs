namespace Firecrawl.Streaming.Webhooks.Receiving;

/// <summary>One durable journal record, as the delivery loop handles it: an event, or a job whose quiet period elapsed.</summary>
internal sealed record Delivery(long Sequence, WebhookEvent? Event, JobKind Kind, string JobId, bool Quiet);
