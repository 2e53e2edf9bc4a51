namespace Firecrawl.Streaming.Pipeline;

/// <summary>Moves a stream of pages into sinks.</summary>
public static class PagePipelineExtensions
{
    /// <summary>
    /// Reads every page of <paramref name="pages"/> and writes it to every sink, each behind its own bounded
    /// queue, in batches, with retries; flushes the sinks every <see cref="PipelineOptions.CheckpointInterval"/>
    /// pages and at the end; and stores the resume token of the last page every sink has made durable in
    /// <see cref="PipelineOptions.Checkpoint"/>.
    /// </summary>
    /// <param name="pages">The pages, in job order. To resume, start this stream after the stored checkpoint, or use
    /// <see cref="JobClientPipelineExtensions.StreamJobToSinksAsync"/>, which does.</param>
    /// <param name="sinks">The sinks, with distinct names. The run owns them: each is disposed when the run ends, however it ends.</param>
    /// <param name="options">The options; null for the defaults.</param>
    /// <param name="cancellationToken">Stops the run: the reader and every sink.</param>
    /// <returns>What each sink wrote, and the last checkpoint.</returns>
    /// <exception cref="ArgumentException">No sink, two sinks share a name, or an option is invalid.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>
    /// When a sink's write still fails after <see cref="SinkOptions.MaxRetries"/> retries, or the source fails, the
    /// run cancels the reader and every other sink, waits for them, disposes the sinks, and rethrows that exception.
    /// Stopping is as prompt as the sinks make it: each write and flush gets the run's cancellation token.
    /// </remarks>
    /// <example>
    /// <code>
    /// PipelineResult result = await client.StreamBatchScrapeAsync(jobId)
    ///     .ToSinksAsync([new JsonLinesSink("pages.jsonl"), new MarkdownDirectorySink("./pages")], options, ct);
    /// </code>
    /// </example>
    public static Task<PipelineResult> ToSinksAsync(
        this IAsyncEnumerable<ScrapedPage> pages,
        IReadOnlyList<IPageSink> sinks,
        PipelineOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pages);
        ArgumentNullException.ThrowIfNull(sinks);
        options ??= new PipelineOptions();
        options.Validate();
        PagePipeline.ValidateSinks(sinks);
        // A source that knows its job's status (a JobPages, or a wrapper that forwards it) reports it in progress.
        return new PagePipeline(pages, pages as IJobStatusSource, sinks, options, resumedFrom: null).RunAsync(cancellationToken);
    }

    /// <summary>Writes every page of <paramref name="pages"/> to the given sinks with the default options.</summary>
    /// <param name="pages">The pages, in job order.</param>
    /// <param name="sinks">The sinks, with distinct names; each is disposed when the run ends.</param>
    /// <returns>What each sink wrote.</returns>
    /// <exception cref="ArgumentException">No sink, or two sinks share a name.</exception>
    public static Task<PipelineResult> ToSinksAsync(this IAsyncEnumerable<ScrapedPage> pages, params IPageSink[] sinks) =>
        pages.ToSinksAsync((IReadOnlyList<IPageSink>)sinks, options: null, CancellationToken.None);
}
