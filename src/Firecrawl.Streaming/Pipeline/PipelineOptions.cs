using System.Diagnostics.Metrics;
using Firecrawl.Streaming.Checkpoints;
using Microsoft.Extensions.Logging;

namespace Firecrawl.Streaming.Pipeline;

/// <summary>
/// Options for one pipeline run: how each sink is fed, when checkpoints are taken and where they go, and
/// how progress is reported. Every property has a documented default.
/// </summary>
/// <example>
/// <code>
/// var options = new PipelineOptions
/// {
///     Checkpoint = new FileCheckpointStore("job.checkpoint"),
///     StreamOptions = new JobStreamOptions { Fields = PageFields.Markdown | PageFields.Metadata },
///     Progress = new Progress&lt;PipelineProgress&gt;(p =&gt; Console.WriteLine($"{p.PagesRead} pages")),
/// };
/// options.SinkOverrides["lucene:./index"] = new SinkOptions(options.SinkDefaults) { BatchSize = 500 };
/// PipelineResult result = await client.StreamJobToSinksAsync(JobKind.BatchScrape, jobId, [jsonl, lucene], options, ct);
/// </code>
/// </example>
public sealed class PipelineOptions
{
    /// <summary>Gets or sets the options of every sink not named in <see cref="SinkOverrides"/>. Default: <see cref="SinkOptions"/>'s defaults.</summary>
    public SinkOptions SinkDefaults { get; set; } = new();

    /// <summary>
    /// Gets the options of particular sinks, keyed by <see cref="IPageSink.Name"/>; each replaces
    /// <see cref="SinkDefaults"/> for its sink (start from <c>new SinkOptions(SinkDefaults)</c> to change a few).
    /// Default: empty.
    /// </summary>
    public IDictionary<string, SinkOptions> SinkOverrides { get; } = new Dictionary<string, SinkOptions>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets where the resume token of the last page every sink has made durable is kept. The client entry
    /// point <see cref="JobClientPipelineExtensions.StreamJobToSinksAsync"/> also starts the stream after
    /// the stored token. Default: null (no checkpoints are stored; <see cref="PipelineResult.LastCheckpoint"/> still tells it).
    /// </summary>
    public ICheckpointStore? Checkpoint { get; set; }

    /// <summary>
    /// Gets or sets after how many written pages each sink is flushed and a checkpoint is taken. A smaller value
    /// replays fewer pages after a crash and flushes more often. The resume tokens of pages read but not yet
    /// checkpointed are kept meanwhile (about 100 bytes each). Default: 1000.
    /// </summary>
    public int CheckpointInterval { get; set; } = 1000;

    /// <summary>
    /// Gets or sets the longest time written pages stay unflushed, so that a slow job still checkpoints.
    /// <see cref="Timeout.InfiniteTimeSpan"/> flushes by count only. Default: 30 seconds.
    /// </summary>
    public TimeSpan CheckpointPeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how long, once the caller cancels the run, each sink may take to flush the pages it has written and
    /// the checkpoint to be saved, so that a cancelled run (Ctrl+C) leaves a checkpoint as far as the sinks got. Pages
    /// still queued are not written: cancelling stays prompt. <see cref="TimeSpan.Zero"/> skips that flush (the checkpoint
    /// stays at the last one taken); <see cref="Timeout.InfiniteTimeSpan"/> waits as long as the flushes take. Default:
    /// 5 seconds.
    /// </summary>
    public TimeSpan CancellationFlushTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets the stream options used by <see cref="JobClientPipelineExtensions.StreamJobToSinksAsync"/>:
    /// field selection, duplicate dropping, and a resume token used when <see cref="Checkpoint"/> holds none.
    /// <see cref="JobStreamOptions.PoolPageBuffers"/> is ignored: the pipeline always pools page buffers and releases each
    /// page once every sink's write of it has completed (a sink that keeps a page longer retains it, see
    /// <see cref="ScrapedPage.Retain"/>). Default: null (every field).
    /// </summary>
    public JobStreamOptions? StreamOptions { get; set; }

    /// <summary>
    /// Gets or sets what decides, a batch at a time, which pages reach the sinks (one share of a job read by several
    /// runs at once, whose pages are claimed in a shared store); null to hand every page to the sinks. Default: null.
    /// </summary>
    public IPageFilter? PageFilter { get; set; }

    /// <summary>Gets or sets where progress snapshots go; null for none. Default: null.</summary>
    public IProgress<PipelineProgress>? Progress { get; set; }

    /// <summary>Gets or sets how often <see cref="Progress"/> is told; a last snapshot always follows a successful run. Default: 1 second.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the factory of the <c>"Firecrawl.Streaming"</c> <see cref="Meter"/>; null uses a meter shared by
    /// the process. Default: null.
    /// </summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>
    /// Gets or sets the factory of the pipeline's loggers (sink retries and failures, dead letters, checkpoints, resumes;
    /// category <c>Firecrawl.Streaming.Pipeline</c>). Default: null, no logging.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Gets or sets whether the sinks stay open when the run ends, for the caller to use or dispose: say, one sink given
    /// to several runs, or read back in a test. They are still flushed. Default: false, the run disposes them.
    /// </summary>
    public bool LeaveSinksOpen { get; set; }

    /// <summary>Gets or sets the clock for batch delays, retry delays, checkpoint periods and rates. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets the options that apply to the sink named <paramref name="sinkName"/>.</summary>
    /// <param name="sinkName">The sink's <see cref="IPageSink.Name"/>.</param>
    /// <returns>Its override, else <see cref="SinkDefaults"/>.</returns>
    public SinkOptions ForSink(string sinkName)
    {
        ArgumentNullException.ThrowIfNull(sinkName);
        return SinkOverrides.TryGetValue(sinkName, out SinkOptions? options) ? options : SinkDefaults;
    }

    /// <summary>Checks every option, naming the first one that is out of range.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        StreamOptions?.Validate();
        OptionRules.Require(PageFilter is null || PageFilter.BatchSize >= 1, nameof(PageFilter), "must offer batches of at least 1 page");
        OptionRules.Require(SinkDefaults is not null, nameof(SinkDefaults), "must not be null");
        SinkDefaults!.Validate();
        foreach (KeyValuePair<string, SinkOptions> pair in SinkOverrides)
        {
            OptionRules.Require(pair.Value is not null, nameof(SinkOverrides), $"has no options for \"{pair.Key}\"");
            pair.Value!.Validate();
        }

        OptionRules.Require(CheckpointInterval >= 1, nameof(CheckpointInterval), "must be at least 1");
        OptionRules.Require(CheckpointPeriod > TimeSpan.Zero || CheckpointPeriod == Timeout.InfiniteTimeSpan, nameof(CheckpointPeriod), "must be positive or infinite");
        OptionRules.Require(ProgressInterval > TimeSpan.Zero, nameof(ProgressInterval), "must be positive");
        OptionRules.Require(
            CancellationFlushTimeout >= TimeSpan.Zero || CancellationFlushTimeout == Timeout.InfiniteTimeSpan,
            nameof(CancellationFlushTimeout),
            "must not be negative, unless infinite");
        OptionRules.Require(TimeProvider is not null, nameof(TimeProvider), "must not be null");
    }
}
