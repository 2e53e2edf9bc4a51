using Firecrawl.Streaming.Checkpoints;

namespace Firecrawl.Streaming.Pipeline;

/// <summary>Moves a stream of pages into sinks.</summary>
public static class PagePipelineExtensions
{
    /// <summary>
    /// Reads every page of <paramref name="pages"/> and writes it to every sink, each behind its own bounded
    /// queue, in batches, with retries; flushes the sinks every <see cref="PipelineOptions.CheckpointInterval"/>
    /// pages and at the end; and stores in <see cref="PipelineOptions.Checkpoint"/> a <see cref="PipelineCheckpoint"/>:
    /// the resume token of the last page every sink has made durable, and the names of the sinks.
    /// </summary>
    /// <param name="pages">The pages, in job order. To resume, start this stream after the stored checkpoint's
    /// <see cref="PipelineCheckpoint.ResumeAfter"/> (<see cref="CheckpointStoreExtensions.LoadCheckpointAsync"/>), or use
    /// <see cref="JobClientPipelineExtensions.StreamJobToSinksAsync"/>, which does.</param>
    /// <param name="sinks">The sinks, with distinct names. The run owns them: each is disposed when the run ends, however it
    /// ends, unless <see cref="PipelineOptions.LeaveSinksOpen"/> is set.</param>
    /// <param name="options">The options; null for the defaults.</param>
    /// <param name="cancellationToken">Stops the run: the reader and every sink.</param>
    /// <returns>What each sink wrote, and the last checkpoint.</returns>
    /// <exception cref="ArgumentException">No sink, two sinks share a name, or an option is invalid.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>
    /// <para><b>The source fails.</b> Reading stops; every page already read is still written to every sink, flushed and
    /// checkpointed; then the source's exception is rethrown as it was (not wrapped, so callers and exit codes keep
    /// telling errors apart). Running again from the checkpoint reads no page twice.</para>
    /// <para><b>A sink fails</b> (its write still fails after <see cref="SinkOptions.MaxRetries"/> retries, under
    /// <see cref="DeadLetterPolicy.FailRun"/>, or its flush does). Reading stops; the other sinks write everything they
    /// were given, flush and checkpoint; the failed sink flushes once what it wrote before failing. The checkpoint is the
    /// last page every sink made durable, the failed one included, so it never passes a page that sink lacks: the next
    /// run reads again only the pages after it. Then the sink's exception is rethrown.</para>
    /// <para><b>Cancellation.</b> Writing stops at once and queued pages are dropped, so stopping is prompt; each sink
    /// then flushes what it wrote within <see cref="PipelineOptions.CancellationFlushTimeout"/> and the checkpoint
    /// follows, so a cancelled run (Ctrl+C) leaves a valid checkpoint as far as every sink got.</para>
    /// <para>In each case <see cref="PipelineResult.TryGetPartial"/> gets from the exception what was saved. Every task
    /// has ended and every sink is disposed before the exception surfaces.</para>
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

    /// <summary>Writes every page of <paramref name="pages"/> to one sink with the default options.</summary>
    /// <param name="pages">The pages, in job order.</param>
    /// <param name="sink">The sink; it is disposed when the run ends.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>What the sink wrote.</returns>
    public static Task<PipelineResult> ToSinksAsync(this IAsyncEnumerable<ScrapedPage> pages, IPageSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sink);
        return pages.ToSinksAsync([sink], options: null, cancellationToken);
    }
}
