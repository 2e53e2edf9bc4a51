using Firecrawl.Streaming.Pipeline;

namespace Firecrawl.Streaming.Checkpoints;

/// <summary>Reads and writes <see cref="PipelineCheckpoint"/>s through any <see cref="ICheckpointStore"/>.</summary>
public static class CheckpointStoreExtensions
{
    /// <summary>Reads the checkpoint the store holds.</summary>
    /// <param name="store">The store.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The checkpoint, or null when the store holds none.</returns>
    /// <exception cref="InvalidDataException">The store holds something that is not a checkpoint.</exception>
    public static async ValueTask<PipelineCheckpoint?> LoadCheckpointAsync(this ICheckpointStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        string? value = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        return value is null ? null : PipelineCheckpoint.Parse(value);
    }

    /// <summary>
    /// Saves a checkpoint that says "this job was started and nothing is delivered yet", so that a tool that starts a job
    /// and is stopped before its first page can find the job again (<see cref="LoadJobAsync"/>) and stream it, instead
    /// of starting (and paying for) another. <see cref="JobClientPipelineExtensions.StreamJobToSinksAsync"/> started
    /// with this checkpoint streams the job from its first page. Replaces whatever the store holds.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="kind">The kind of job.</param>
    /// <param name="jobId">The id of the job just started.</param>
    /// <param name="sinkNames">The sinks the job will be streamed into (<see cref="IPageSink.Name"/>).</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>A task that completes when the checkpoint is stored.</returns>
    /// <example>
    /// <code>
    /// string jobId = (await client.StartBatchScrapeAsync(request, ct)).Id;
    /// await store.SaveJobStartAsync(JobKind.BatchScrape, jobId, sinks.Select(s => s.Name), ct);
    /// // ... later, or after a crash:
    /// if (await store.LoadJobAsync(ct) is (JobKind kind, string id)) await client.StreamJobToSinksAsync(kind, id, sinks, options, ct);
    /// </code>
    /// </example>
    public static ValueTask SaveJobStartAsync(this ICheckpointStore store, JobKind kind, string jobId, IEnumerable<string> sinkNames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentNullException.ThrowIfNull(sinkNames);
        return store.SaveAsync(new PipelineCheckpoint(kind, jobId, resumeAfter: null, sinkNames).Format(), cancellationToken);
    }

    /// <summary>Reads which job the store's checkpoint belongs to, whether pages were delivered or only the job's start was saved.</summary>
    /// <param name="store">The store.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The kind and id of the job, or null when the store holds no checkpoint.</returns>
    /// <exception cref="InvalidDataException">The store holds something that is not a checkpoint.</exception>
    public static async ValueTask<(JobKind Kind, string JobId)?> LoadJobAsync(this ICheckpointStore store, CancellationToken cancellationToken = default)
    {
        PipelineCheckpoint? checkpoint = await store.LoadCheckpointAsync(cancellationToken).ConfigureAwait(false);
        return checkpoint is null ? null : (checkpoint.Kind, checkpoint.JobId);
    }
}
