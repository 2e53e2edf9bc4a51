namespace Firecrawl.Streaming.RabbitMq;

/// <summary>What a worker's handler decided about a job message; the worker acknowledges it accordingly.</summary>
public enum JobOutcome
{
    /// <summary>The job is done (every page in every sink, coverage complete): the message is acknowledged.</summary>
    Completed,

    /// <summary>
    /// The job failed for good (the job does not exist, it failed on the server, a page is unaccounted for) and the
    /// handler recorded why: the message is acknowledged, since delivering it again would fail again.
    /// </summary>
    Failed,

    /// <summary>
    /// The job is not done and may succeed later (a server or sink outage, a shutdown): the message goes back to the
    /// queue. After the queue's delivery limit it goes to the dead-letter queue.
    /// </summary>
    Retry,
}

/// <summary>A job message handed to a worker's handler.</summary>
/// <param name="Message">The job.</param>
/// <param name="Redelivered">Whether the broker delivered this message before (to a worker that died, stopped, or gave it back).</param>
/// <param name="DeliveryCount">How many times it was delivered before this delivery (the quorum queue's <c>x-delivery-count</c>; 0 the first time).</param>
public sealed record JobDelivery(JobMessage Message, bool Redelivered, long DeliveryCount);
