using Firecrawl.Streaming.Sinks;

namespace Firecrawl.Streaming.Pipeline;

/// <summary>Streams a batch-scrape job into sinks, resuming from a checkpoint.</summary>
public static class FirecrawlClientPipelineExtensions
{
    /// <summary>
    /// Streams every page of a batch-scrape job into the sinks, end to end: loads
    /// <see cref="PipelineOptions.Checkpoint"/> and starts after it, writes the pages as
    /// <see cref="PagePipelineExtensions.ToSinksAsync(IAsyncEnumerable{ScrapedPage}, IReadOnlyList{IPageSink}, PipelineOptions?, CancellationToken)"/>
    /// does, and saves new checkpoints as the sinks make pages durable. Run it again with the same store after a
    /// crash or a cancellation and it continues where the sinks left off.
    /// </summary>
    /// <param name="client">The client.</param>
    /// <param name="jobId">The batch job id.</param>
    /// <param name="sinks">The sinks, with distinct names; each is disposed when the run ends.</param>
    /// <param name="options">The options, including <see cref="PipelineOptions.StreamOptions"/> for field selection; null for the defaults.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>What each sink wrote, and the last checkpoint.</returns>
    /// <exception cref="ArgumentException">No sink, two sinks share a name, or an option is invalid.</exception>
    /// <exception cref="FirecrawlException">The stream failed, or the stored checkpoint belongs to another job.</exception>
    /// <example>
    /// <code>
    /// var options = new PipelineOptions { Checkpoint = new FileCheckpointStore($"{jobId}.checkpoint") };
    /// PipelineResult result = await client.StreamBatchToSinksAsync(jobId, [new JsonLinesSink("pages.jsonl.gz")], options, ct);
    /// </code>
    /// </example>
    public static async Task<PipelineResult> StreamBatchToSinksAsync(
        this FirecrawlClient client,
        string jobId,
        IReadOnlyList<IPageSink> sinks,
        PipelineOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentNullException.ThrowIfNull(sinks);
        options ??= new PipelineOptions();
        options.Validate();
        PagePipeline.ValidateSinks(sinks);

        BatchStreamOptions? given = options.StreamOptions;
        string? resumeAfter = options.Checkpoint is { } store
            ? await store.LoadAsync(cancellationToken).ConfigureAwait(false) ?? given?.ResumeAfter
            : given?.ResumeAfter;
        if (resumeAfter is not null && ResumeToken.TryParse(resumeAfter, out string tokenJob, out _, out _)
            && !string.Equals(tokenJob, jobId, StringComparison.Ordinal))
        {
            // Caught here rather than by the stream so the message can say where the token came from.
            throw new FirecrawlException(
                $"The checkpoint belongs to job {tokenJob}, not {jobId}: use a checkpoint store per job.", FirecrawlErrorCode.InvalidCursor);
        }

        var streamOptions = new BatchStreamOptions
        {
            Fields = given?.Fields ?? PageFields.All,
            DropDuplicates = given?.DropDuplicates ?? true,
            ResumeAfter = resumeAfter,
            PoolPageBuffers = false,
        };
        BatchJobPages pages = client.StreamBatchAsync(jobId, streamOptions, cancellationToken);
        return await new PagePipeline(pages, sinks, options, resumedFrom: resumeAfter).RunAsync(cancellationToken).ConfigureAwait(false);
    }
}
