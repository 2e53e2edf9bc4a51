using Firecrawl.Streaming.Cli.Sinks;

namespace Firecrawl.Streaming.Cli.Running;

/// <summary>Everything a run that streams a job into sinks needs, checked: what the streaming commands parse from their options.</summary>
internal sealed record RunSettings
{
    public JobKind Kind { get; init; } = JobKind.BatchScrape;

    public required string JobId { get; init; }

    public required IReadOnlyList<SinkSpec> Sinks { get; init; }

    /// <summary>Gets the address given with <c>--api-url</c>; null falls back to <c>FIRECRAWL_API_URL</c>, then the public API.</summary>
    public Uri? ApiUrl { get; init; }

    /// <summary>Gets the key given with <c>--api-key</c>; null falls back to <c>FIRECRAWL_API_KEY</c>.</summary>
    public string? ApiKey { get; init; }

    public string? CheckpointPath { get; init; }

    /// <summary>Gets after how many pages each sink is flushed and the checkpoint saved.</summary>
    public int CheckpointEvery { get; init; } = 250;

    public TimeSpan? PollInterval { get; init; }

    public int? MaxRetries { get; init; }

    /// <summary>Gets the <c>limit</c> given with <c>--chunk-limit</c>; null keeps the library's default.</summary>
    public int? ChunkLimit { get; init; }

    /// <summary>Gets the chunks fetched at once given with <c>--concurrency</c>; null keeps the library's default.</summary>
    public int? Concurrency { get; init; }

    public PageFields Fields { get; init; } = PageFields.All;

    public bool Quiet { get; init; }

    /// <summary>Gets whether the summary and coverage go to standard output as one JSON object (<c>--json</c>).</summary>
    public bool Json { get; init; }

    /// <summary>Gets the connection string given with <c>--blob-connection</c>; null falls back to <c>AZURE_STORAGE_CONNECTION_STRING</c>.</summary>
    public string? BlobConnection { get; init; }

    /// <summary>Gets the connection string given with <c>--pg-connection</c>; what it leaves out comes from the <c>PG*</c> variables.</summary>
    public string? PgConnection { get; init; }

    /// <summary>Gets the dead-letter file given with <c>--dead-letters</c>; null makes a page a sink cannot store fail the run.</summary>
    public string? DeadLetterPath { get; init; }

    /// <summary>Gets the broker of <c>amqp:</c> sinks; null falls back to <c>FCSTREAM_AMQP_URL</c>.</summary>
    public Uri? AmqpUri { get; init; }

    /// <summary>Gets a checkpoint store that replaces <see cref="CheckpointPath"/>: a worker's shared one.</summary>
    public Firecrawl.Streaming.Checkpoints.ICheckpointStore? CheckpointStore { get; init; }

    /// <summary>Gets the first retry delay; the public API's default suits it, the local demo server wants less.</summary>
    public TimeSpan? RetryBaseDelay { get; init; }

    /// <summary>Gets the share of the job to stream (a worker's range of a split job), or null for the whole job.</summary>
    public JobRange? Range { get; init; }

    /// <summary>Gets what keeps pages other shares of the job delivered from the sinks (a worker's page claims), or null.</summary>
    public Firecrawl.Streaming.Pipeline.IPageFilter? PageFilter { get; init; }
}

/// <summary>What a command that only calls the API needs: where, with which key, how persistently.</summary>
internal sealed record ApiSettings(Uri? ApiUrl, string? ApiKey, int? MaxRetries, int? ChunkLimit = null, int? Concurrency = null);
