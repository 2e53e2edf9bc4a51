namespace Firecrawl.Streaming.Cli.Running;

/// <summary>What <c>fcstream listen</c> adds to a streaming run's settings.</summary>
internal sealed record ListenSettings
{
    public required Uri Listen { get; init; }

    public required string Path { get; init; }

    /// <summary>Gets the secret given with <c>--secret</c>; null falls back to <c>FIRECRAWL_WEBHOOK_SECRET</c>.</summary>
    public string? Secret { get; init; }

    public required string JournalDirectory { get; init; }

    public bool Once { get; init; }

    public TimeSpan QuietPeriod { get; init; }

    public bool AllowUnsigned { get; init; }

    /// <summary>Gets the broker given with <c>--enqueue-amqp</c>: each <c>completed</c> job is put on its job queue; null enqueues nothing.</summary>
    public Uri? EnqueueAmqp { get; init; }

    /// <summary>Gets the job queue <c>completed</c> jobs go to (<c>--enqueue-queue</c>).</summary>
    public Firecrawl.Streaming.RabbitMq.RabbitMqJobQueueOptions EnqueueQueue { get; init; } = new();

    /// <summary>Gets the sinks profile of the jobs enqueued (<c>--enqueue-profile</c>).</summary>
    public string EnqueueProfile { get; init; } = Firecrawl.Streaming.RabbitMq.JobMessage.DefaultProfile;
}
