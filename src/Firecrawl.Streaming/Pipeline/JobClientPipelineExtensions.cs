using Firecrawl.Streaming.Checkpoints;
using Microsoft.Extensions.Logging;

namespace Firecrawl.Streaming.Pipeline;

/// <summary>Streams a job into sinks, resuming from a checkpoint.</summary>
public static class JobClientPipelineExtensions
{
    /// <summary>
    /// Streams every page of a batch-scrape or crawl job into the sinks, end to end: loads
    /// <see cref="PipelineOptions.Checkpoint"/> (a <see cref="PipelineCheckpoint"/>, or a plain resume token an older
    /// store holds) and starts after it, writes the pages as
    /// <see cref="PagePipelineExtensions.ToSinksAsync(IAsyncEnumerable{ScrapedPage}, IReadOnlyList{IPageSink}, PipelineOptions?, CancellationToken)"/>
    /// does, and saves new checkpoints as the sinks make pages durable. Run it again with the same store after a
    /// crash or a cancellation and it continues where the sinks left off.
    /// </summary>
    /// <param name="client">The client.</param>
    /// <param name="kind">Whether the id is a batch scrape's or a crawl's.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="sinks">The sinks, with distinct names; each is disposed when the run ends.</param>
    /// <param name="options">The options, including <see cref="PipelineOptions.StreamOptions"/> for field selection; null for the defaults.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>What each sink wrote, and the last checkpoint.</returns>
    /// <exception cref="ArgumentException">No sink, two sinks share a name, or an option is invalid.</exception>
    /// <exception cref="JobStreamException">The stream failed; or (<see cref="JobStreamErrorCode.InvalidResumeToken"/>)
    /// the stored checkpoint cannot be read, belongs to another job, or does not name one of the sinks.</exception>
    /// <remarks>
    /// <para><b>Sinks and checkpoints.</b> The checkpoint names the sinks that hold every page up to it. Resuming with a
    /// sink it does not name is refused (that sink would miss every page before the checkpoint); resuming with fewer
    /// sinks is fine. A plain resume token (stored before checkpoints named their sinks) is accepted for any sinks.</para>
    /// <para><b>Job start.</b> A checkpoint saved with <see cref="CheckpointStoreExtensions.SaveJobStartAsync"/> names
    /// the job but no page: the run streams the job from its first page, into any sinks.</para>
    /// <para>Sink names are compared exactly: resume with the sinks named as before (the same path spelled the same way).</para>
    /// <para><b>Failure and cancellation.</b> See <see cref="PagePipelineExtensions.ToSinksAsync(IAsyncEnumerable{ScrapedPage}, IReadOnlyList{IPageSink}, PipelineOptions?, CancellationToken)"/>:
    /// what every sink was given is saved and checkpointed before the exception surfaces, so running again with the same
    /// store reads no page twice (only pages a failed sink had not made durable are read again).</para>
    /// </remarks>
    /// <example>
    /// <code>
    /// var options = new PipelineOptions { Checkpoint = new FileCheckpointStore($"{jobId}.checkpoint") };
    /// PipelineResult result = await client.StreamJobToSinksAsync(JobKind.BatchScrape, jobId, [new JsonLinesSink("pages.jsonl.gz")], options, ct);
    /// </code>
    /// </example>
    public static async Task<PipelineResult> StreamJobToSinksAsync(
        this IFirecrawlJobClient client,
        JobKind kind,
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

        JobStreamOptions? given = options.StreamOptions;
        PipelineCheckpoint? checkpoint = await LoadCheckpointAsync(options.Checkpoint, jobId, cancellationToken).ConfigureAwait(false);
        string? resumeAfter;
        if (checkpoint is not null)
        {
            // Caught here rather than by the stream so the message can say where the token came from.
            if (checkpoint.Kind != kind || !string.Equals(checkpoint.JobId, jobId, StringComparison.Ordinal))
            {
                throw new JobStreamException(
                    $"The checkpoint belongs to {JobEndpoint.For(checkpoint.Kind).Noun} {checkpoint.JobId}, not {JobEndpoint.For(kind).Noun} {jobId}: use a checkpoint store per job.",
                    JobStreamErrorCode.InvalidResumeToken) { JobId = jobId };
            }

            RequireCovered(checkpoint, sinks, jobId);

            // A job-start checkpoint names no page: the stream starts at the first one.
            resumeAfter = checkpoint.ResumeAfter;
            if (options.LoggerFactory is not null && ResumeToken.TryParse(resumeAfter, out _, out _, out long position, out _))
            {
                Log.ResumingFromCheckpoint(options.LoggerFactory.CreateLogger(FirecrawlStreamingDiagnostics.LoggerCategory + ".Pipeline"), jobId, position + 1);
            }
        }
        else
        {
            // A token given directly is checked by the stream itself (the same check, the same message).
            resumeAfter = given?.ResumeAfter;
        }

        var streamOptions = new JobStreamOptions
        {
            Fields = given?.Fields ?? PageFields.All,
            DropDuplicates = given?.DropDuplicates ?? true,
            ResumeAfter = resumeAfter,
            StartAt = given?.StartAt ?? 0,
            StopAt = given?.StopAt,
            // The pipeline owns these pages: each is released once every sink's write of it completed (see IPageSink).
            PoolPageBuffers = true,
        };
        JobPages pages = client.StreamJobAsync(kind, jobId, streamOptions, cancellationToken);
        PipelineResult result = await new PagePipeline(pages, pages, sinks, options, resumedFrom: resumeAfter, ownsPages: true).RunAsync(cancellationToken).ConfigureAwait(false);
        return await ReconcileAsync(client, result, streamOptions.StopAt, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<PipelineCheckpoint?> LoadCheckpointAsync(ICheckpointStore? store, string jobId, CancellationToken cancellationToken)
    {
        if (store is null)
        {
            return null;
        }

        try
        {
            return await store.LoadCheckpointAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new JobStreamException($"The checkpoint cannot be read: {e.Message}", JobStreamErrorCode.InvalidResumeToken, e) { JobId = jobId };
        }
    }

    /// <summary>
    /// Refuses to resume with a sink the checkpoint does not name: it was not part of the run that saved the checkpoint,
    /// so it lacks the pages before it, and the stream would start after them. Backfilling it instead would mean
    /// streaming from the first page for one sink while the others skip what they hold, which a separate run does
    /// more plainly.
    /// </summary>
    private static void RequireCovered(PipelineCheckpoint checkpoint, IReadOnlyList<IPageSink> sinks, string jobId)
    {
        if (checkpoint.ResumeAfter is null)
        {
            return; // a job-start checkpoint: no page was delivered, so no sink can lack one
        }

        string[] missing = [.. sinks.Select(s => s.Name).Where(name => !checkpoint.Covers(name))];
        if (missing.Length == 0)
        {
            return;
        }

        string had = checkpoint.SinkNames is { Count: > 0 } names ? string.Join(", ", names) : "no sink";
        throw new JobStreamException(
            $"The checkpoint covers {had}, not {string.Join(", ", missing)}, which would miss every page before it. " +
            "Run the new sink on its own with a checkpoint of its own (it starts from the first page), resume without it, " +
            "or delete the checkpoint to run every sink from the first page (sinks skip the pages they hold).",
            JobStreamErrorCode.InvalidResumeToken) { JobId = jobId };
    }

    /// <summary>
    /// When a finished job reports more pages than were delivered, reads its errors endpoint: a page listed there as
    /// failed or robots-blocked is accounted for. Failing to read it leaves the pages unaccounted, which says enough.
    /// </summary>
    private static async Task<PipelineResult> ReconcileAsync(IFirecrawlJobClient client, PipelineResult result, long? stopAt, CancellationToken cancellationToken)
    {
        // A range of a job (StopAt) accounts for its own offsets only: the job's counts are whoever reconciles the ranges' business.
        if (result.Coverage is not { Status.IsTerminal: true, Unaccounted: > 0 } coverage || stopAt is not null)
        {
            return result;
        }

        try
        {
            JobErrors errors = await client.GetErrorsAsync(coverage.Kind, coverage.JobId, cancellationToken).ConfigureAwait(false);
            return result.With(coverage with { Errors = errors });
        }
        catch (JobStreamException)
        {
            return result;
        }
    }
}
