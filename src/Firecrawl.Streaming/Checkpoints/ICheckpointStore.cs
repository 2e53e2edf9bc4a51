namespace Firecrawl.Streaming.Checkpoints;

/// <summary>
/// Keeps one checkpoint, as an opaque string: the pipeline stores a <see cref="PipelineCheckpoint"/> (the resume token
/// of the last page every sink of a run has made durable, and the names of those sinks). A run started again with the
/// same store continues after it.
/// </summary>
/// <remarks>
/// The pipeline calls <see cref="SaveAsync"/> from one task at a time, with checkpoints of ever later pages. A store
/// must never leave a torn value behind: after a crash, <see cref="LoadAsync"/> returns the old or the new one. Read
/// the value with <see cref="CheckpointStoreExtensions.LoadCheckpointAsync"/>; a plain resume token that an older
/// version stored is read as a checkpoint whose sinks are unknown.
/// </remarks>
public interface ICheckpointStore
{
    /// <summary>Reads the stored value.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The value, or null when none was saved.</returns>
    ValueTask<string?> LoadAsync(CancellationToken cancellationToken = default);

    /// <summary>Replaces the stored value, durably, before the returned task completes.</summary>
    /// <param name="resumeToken">The value: a <see cref="PipelineCheckpoint.Format">formatted checkpoint</see> (or, from older callers, a resume token).</param>
    /// <param name="cancellationToken">Cancels the write; the old value then stays.</param>
    /// <returns>A task that completes when the value is stored.</returns>
    ValueTask SaveAsync(string resumeToken, CancellationToken cancellationToken = default);
}
