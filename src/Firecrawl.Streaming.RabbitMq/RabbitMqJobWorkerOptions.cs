namespace Firecrawl.Streaming.RabbitMq;

/// <summary>How a <see cref="RabbitMqJobWorker"/> consumes the job queue.</summary>
public sealed class RabbitMqJobWorkerOptions
{
    /// <summary>Gets or sets the queue to consume, as the publishers declare it. Default: the defaults of <see cref="RabbitMqJobQueueOptions"/>.</summary>
    public RabbitMqJobQueueOptions Queue { get; set; } = new();

    /// <summary>Gets or sets how many jobs this worker streams at once. Default: 1.</summary>
    public int Concurrency { get; set; } = 1;

    /// <summary>
    /// Gets or sets how many unacknowledged messages the broker hands this worker at most (the channel's prefetch).
    /// Default: null, which means <see cref="Concurrency"/>: a worker holds no message it is not working on, so an
    /// idle worker elsewhere gets it instead, and memory stays bounded whatever the queue length.
    /// </summary>
    public int? Prefetch { get; set; }

    /// <summary>Gets or sets a sink for one-line diagnostics (a message rejected as poison, an acknowledgement lost to a broker restart). Default: none.</summary>
    public Action<string>? Log { get; set; }

    internal int EffectivePrefetch => Prefetch ?? Concurrency;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Queue, nameof(Queue));
        Queue.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(Concurrency, 1, nameof(Concurrency));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Concurrency, 256, nameof(Concurrency));
        if (Prefetch is int prefetch)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(prefetch, Concurrency, nameof(Prefetch));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(prefetch, ushort.MaxValue, nameof(Prefetch));
        }
    }
}
