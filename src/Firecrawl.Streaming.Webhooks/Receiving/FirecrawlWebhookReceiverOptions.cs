using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;

namespace Firecrawl.Streaming.Webhooks;

/// <summary>How a <see cref="FirecrawlWebhookReceiver"/> verifies, stores, delivers and reconciles webhook events.</summary>
public sealed class FirecrawlWebhookReceiverOptions
{
    /// <summary>The default endpoint path, <c>/firecrawl/webhook</c>.</summary>
    public const string DefaultPath = "/firecrawl/webhook";

    /// <summary>
    /// Gets the secrets a signature may be made with: the team's webhook secret, or two while it is being rotated.
    /// Required unless <see cref="AllowUnsignedDeliveries"/>.
    /// </summary>
    public IList<string> Secrets { get; } = [];

    /// <summary>
    /// Gets or sets whether deliveries are accepted without any signature check, for a self-hosted server configured
    /// without a secret. Anyone who can reach the endpoint can then forge pages; the receiver logs a warning at start.
    /// Has no effect while <see cref="Secrets"/> holds a secret: signatures are then always checked. Default: false.
    /// </summary>
    public bool AllowUnsignedDeliveries { get; set; }

    /// <summary>Gets or sets the directory of the journal (created when missing). Default: <c>firecrawl-webhooks</c>.</summary>
    public string JournalDirectory { get; set; } = "firecrawl-webhooks";

    /// <summary>
    /// Gets or sets the most bytes the journal may hold; a delivery that would pass it is refused with 503 (the server
    /// delivers it again later) rather than accepted and lost. Default: 1 GiB.
    /// </summary>
    public long MaxJournalBytes { get; set; } = 1L << 30;

    /// <summary>
    /// Gets or sets the largest body accepted; a larger one is answered 413 from its <c>Content-Length</c>, or as soon as
    /// more arrives, without reading the rest. Default: 32 MiB (a page can be several MB of markdown and HTML).
    /// </summary>
    public int MaxBodyBytes { get; set; } = 32 << 20;

    /// <summary>Gets or sets how many deliveries are handled at once; more are answered 503. Default: 64.</summary>
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>
    /// Gets the sinks pushed and pulled pages go to, through the same pipeline as pull streaming (bounded channels,
    /// batches, retries, checkpoints). The receiver owns them and disposes them when it stops. Empty: events only.
    /// </summary>
    public IList<IPageSink> Sinks { get; } = [];

    /// <summary>
    /// Gets or sets the pipeline's options (batching, channel capacity, dead letters, progress, checkpoint interval).
    /// Its <see cref="PipelineOptions.Checkpoint"/> is not used: see <see cref="Checkpoint"/>. Default: the pipeline's defaults.
    /// </summary>
    public PipelineOptions Pipeline { get; set; } = new();

    /// <summary>
    /// Gets or sets where the receiver records how far into the journal every sink has made the pages durable; after a
    /// crash it hands the sinks everything after that again (they keep one copy per key). Default: the file
    /// <c>delivered.checkpoint</c> in <see cref="JournalDirectory"/>.
    /// </summary>
    public ICheckpointStore? Checkpoint { get; set; }

    /// <summary>
    /// Gets or sets the client that reads a finished job from its status endpoint to deliver the pages no webhook brought.
    /// Without one, a job's report lists only what was pushed. Not disposed by the receiver. Default: none.
    /// </summary>
    public FirecrawlJobClient? JobClient { get; set; }

    /// <summary>
    /// Gets or sets how long a job may stay silent before it is reconciled anyway: batch scrapes send no failure or
    /// cancel event, and a <c>completed</c> delivery can be given up by the server. The pull waits for the job to end.
    /// Null: only on <c>completed</c>. Default: 20 minutes (longer than the server's last retry, 15 minutes).
    /// </summary>
    public TimeSpan? QuietPeriod { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>
    /// Gets or sets a handler called with every new event once it is durable, in journal order, before its pages go to
    /// the sinks. After a crash, events the sinks had not made durable are handled again (at least once). Default: none.
    /// </summary>
    public Func<WebhookEvent, CancellationToken, ValueTask>? OnEvent { get; set; }

    /// <summary>Gets or sets a handler called with each job's report once it is reconciled. Default: none.</summary>
    public Func<WebhookJobReport, CancellationToken, ValueTask>? OnJobReconciled { get; set; }

    /// <summary>
    /// Gets or sets how many events <see cref="FirecrawlWebhookReceiver.ReadEventsAsync"/> buffers; when the buffer is
    /// full, delivery to the sinks waits for the reader. 0: events are not buffered and cannot be read that way. Default: 0.
    /// </summary>
    public int EventBufferCapacity { get; set; }

    /// <summary>Gets or sets the clock for the quiet period. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Checks the options; the receiver calls it.</summary>
    /// <exception cref="ArgumentException">An option is out of range, or no secret is given without opting out of signatures.</exception>
    public void Validate()
    {
        if (!AllowUnsignedDeliveries && !Secrets.Any(s => !string.IsNullOrEmpty(s)))
        {
            throw new ArgumentException(
                "No webhook secret: add the team's secret to Secrets, or set AllowUnsignedDeliveries for a server that signs nothing.", nameof(Secrets));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(JournalDirectory);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBodyBytes, 1024, nameof(MaxBodyBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxJournalBytes, (long)MaxBodyBytes, nameof(MaxJournalBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentRequests, 1, nameof(MaxConcurrentRequests));
        ArgumentOutOfRangeException.ThrowIfNegative(EventBufferCapacity, nameof(EventBufferCapacity));
        ArgumentNullException.ThrowIfNull(Pipeline);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        if (QuietPeriod is { } quiet)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(quiet, TimeSpan.Zero, nameof(QuietPeriod));
        }

        Pipeline.Validate();
        if (Sinks.Any(s => s is null) || Sinks.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count() != Sinks.Count)
        {
            throw new ArgumentException("Sinks must be non-null with distinct names.", nameof(Sinks));
        }
    }
}
