using Firecrawl.Streaming.RabbitMq;

namespace Firecrawl.Streaming.Cli.Running;

/// <summary>What <c>fcstream worker</c> parsed: a run's settings with <c>{job}</c> for the job id, and the worker's own.</summary>
internal sealed record WorkerSettings
{
    /// <summary>Gets the settings of every job's run; sink targets may contain <c>{job}</c>.</summary>
    public required RunSettings Template { get; init; }

    public required Uri AmqpUri { get; init; }

    /// <summary>Gets the connection string of the shared state database.</summary>
    public required string StateDb { get; init; }

    public required string Profile { get; init; }

    public required RabbitMqJobQueueOptions Queue { get; init; }

    public int Concurrency { get; init; } = 1;

    /// <summary>Gets the pages above which a finished job is split into ranges of this many for several workers; 0 never splits.</summary>
    public long SplitPages { get; init; } = DefaultSplitPages;

    /// <summary>The default of <c>--split-pages</c>.</summary>
    public const long DefaultSplitPages = 10_000;

    /// <summary>Gets how long a lease lasts unless renewed; it is renewed every third of that.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);
}
