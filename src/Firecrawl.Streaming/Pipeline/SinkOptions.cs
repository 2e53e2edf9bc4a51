namespace Firecrawl.Streaming.Pipeline;

/// <summary>
/// How the pipeline feeds one sink: its queue, its batches, how many writes run at once and how failed
/// writes are retried. Every property has a documented default; <see cref="PipelineOptions.SinkDefaults"/>
/// applies to every sink unless <see cref="PipelineOptions.SinkOverrides"/> names it.
/// </summary>
public sealed class SinkOptions
{
    /// <summary>Creates options with the documented defaults.</summary>
    public SinkOptions()
    {
    }

    /// <summary>Creates a copy of <paramref name="other"/>, to override a few properties of the defaults for one sink.</summary>
    /// <param name="other">The options to copy.</param>
    /// <example><code>options.SinkOverrides["lucene:./index"] = new SinkOptions(options.SinkDefaults) { BatchSize = 500 };</code></example>
    public SinkOptions(SinkOptions other)
    {
        ArgumentNullException.ThrowIfNull(other);
        ChannelCapacity = other.ChannelCapacity;
        BatchSize = other.BatchSize;
        MaxBatchDelay = other.MaxBatchDelay;
        MaxDegreeOfParallelism = other.MaxDegreeOfParallelism;
        MaxRetries = other.MaxRetries;
        RetryBaseDelay = other.RetryBaseDelay;
        MaxRetryDelay = other.MaxRetryDelay;
        ShouldRetry = other.ShouldRetry;
        DeadLetter = other.DeadLetter;
        DeadLetterPath = other.DeadLetterPath;
    }

    /// <summary>
    /// Gets or sets how many pages may wait in the sink's queue. When it is full the reader waits, so the
    /// slowest sink sets the pace and memory stays bounded. Default: 256.
    /// </summary>
    public int ChannelCapacity { get; set; } = 256;

    /// <summary>Gets or sets the most pages handed to one <see cref="IPageSink.WriteAsync"/> call. Default: 100.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// Gets or sets how long a partial batch may wait for more pages before it is written anyway, counted from
    /// its first page. <see cref="TimeSpan.Zero"/> writes whatever is queued at once. Default: 500 milliseconds.
    /// </summary>
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Gets or sets how many <see cref="IPageSink.WriteAsync"/> calls may run at once. Values above 1 are
    /// for sinks that accept concurrent writes; batches may then complete out of order, and the checkpoint still
    /// only covers pages whose every predecessor is written. Flushes never overlap writes. Default: 1.
    /// </summary>
    public int MaxDegreeOfParallelism { get; set; } = 1;

    /// <summary>
    /// Gets or sets how many times a failed batch is written again before the run fails with the sink's
    /// exception. Failed flushes are retried the same way. Default: 3.
    /// </summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Gets or sets the delay before the first retry; each later one doubles, with ±20 % jitter. Default: 200 milliseconds.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets or sets the longest delay between two retries. Default: 30 seconds.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets which exceptions are worth a retry; null retries every exception. Cancellation of the
    /// run is never retried. Default: null.
    /// </summary>
    public Func<Exception, bool>? ShouldRetry { get; set; }

    /// <summary>
    /// Gets or sets what happens to a page the sink still cannot write after <see cref="MaxRetries"/> retries: the run
    /// fails (<see cref="DeadLetterPolicy.FailRun"/>), or the page is set aside in <see cref="DeadLetterPath"/> and the
    /// sink goes on (<see cref="DeadLetterPolicy.WriteToFile"/>). Failed flushes always fail the run. Default:
    /// <see cref="DeadLetterPolicy.FailRun"/>.
    /// </summary>
    public DeadLetterPolicy DeadLetter { get; set; } = DeadLetterPolicy.FailRun;

    /// <summary>
    /// Gets or sets the dead-letter file (JSON Lines, appended to; see <see cref="DeadLetterPolicy.WriteToFile"/>), required
    /// with that policy. Sinks whose options name the same file share it; each line names its sink. Default: null.
    /// </summary>
    public string? DeadLetterPath { get; set; }

    /// <summary>Checks every option, naming the first one that is out of range.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        OptionRules.Require(ChannelCapacity >= 1, nameof(ChannelCapacity), "must be at least 1");
        OptionRules.Require(BatchSize >= 1, nameof(BatchSize), "must be at least 1");
        OptionRules.Require(MaxBatchDelay >= TimeSpan.Zero, nameof(MaxBatchDelay), "must not be negative");
        OptionRules.Require(MaxDegreeOfParallelism >= 1, nameof(MaxDegreeOfParallelism), "must be at least 1");
        OptionRules.Require(MaxRetries >= 0, nameof(MaxRetries), "must be zero or more");
        OptionRules.Require(RetryBaseDelay >= TimeSpan.Zero, nameof(RetryBaseDelay), "must not be negative");
        OptionRules.Require(MaxRetryDelay >= RetryBaseDelay, nameof(MaxRetryDelay), "must be at least RetryBaseDelay");
        OptionRules.Require(Enum.IsDefined(DeadLetter), nameof(DeadLetter), "is not a defined policy");
        OptionRules.Require(
            DeadLetter != DeadLetterPolicy.WriteToFile || !string.IsNullOrWhiteSpace(DeadLetterPath),
            nameof(DeadLetterPath),
            "must name a file when DeadLetter is WriteToFile");
    }
}
