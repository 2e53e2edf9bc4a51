namespace Firecrawl.Streaming.Checkpoints;

/// <summary>
/// Keeps one resume token (<see cref="ScrapedPage.ResumeToken"/>): the last page every sink of a run has made
/// durable. A run started again with the same store continues after it.
/// </summary>
/// <remarks>
/// The pipeline calls <see cref="SaveAsync"/> from one task at a time, with tokens of ever later pages. A store
/// must never leave a torn token behind: after a crash, <see cref="LoadAsync"/> returns the old or the new one.
/// </remarks>
public interface ICheckpointStore
{
    /// <summary>Reads the stored token.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The token, or null when none was saved.</returns>
    ValueTask<string?> LoadAsync(CancellationToken cancellationToken = default);

    /// <summary>Replaces the stored token, durably, before the returned task completes.</summary>
    /// <param name="resumeToken">The token.</param>
    /// <param name="cancellationToken">Cancels the write; the old token then stays.</param>
    /// <returns>A task that completes when the token is stored.</returns>
    ValueTask SaveAsync(string resumeToken, CancellationToken cancellationToken = default);
}
