using System.Threading.Channels;
using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Webhooks.Journal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firecrawl.Streaming.Webhooks;

/// <summary>
/// Receives Firecrawl webhook deliveries and makes them as trustworthy as pulling: each is verified (HMAC-SHA256 over
/// the raw bytes, compared in constant time), made durable in an append-only journal before it is acknowledged,
/// de-duplicated on <c>webhookId</c> and on (job, <c>metadata.scrapeId</c>), handed to the same sinks as pull streaming,
/// and, when its job completes (or goes quiet), reconciled with the status endpoint so that the pages no webhook
/// brought are pulled and delivered too.
/// </summary>
/// <remarks>
/// <para>Transport-agnostic: <see cref="ReceiveAsync"/> takes the raw body and the signature header; the ASP.NET Core
/// endpoint (<c>MapFirecrawlWebhooks</c>) adds size limits, concurrency limits and status codes around it.</para>
/// <para><b>Crashes.</b> A delivery acknowledged is in the journal, fsynced. At start the receiver reads the journal
/// back (cutting a torn tail), rebuilds what it had de-duplicated, and hands the sinks every event after the last point
/// all of them had made durable, so a crash between the acknowledgement and the sinks loses nothing, and the sinks'
/// keys keep one copy of each page.</para>
/// </remarks>
public sealed partial class FirecrawlWebhookReceiver : IAsyncDisposable
{
    private readonly FirecrawlWebhookReceiverOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Receiving.JobLedger _ledger = new();
    private readonly ICheckpointStore _checkpoint;
    private readonly Channel<Receiving.Delivery> _deliveries = Channel.CreateUnbounded<Receiving.Delivery>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<ScrapedPage> _pages;
    private readonly Channel<WebhookEvent>? _events;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<WebhookJobReport> _reports = [];
    private WebhookJournal? _journal;
    private Task? _deliveryLoop;
    private Task<PipelineResult>? _pipeline;
    private ITimer? _quietTimer;
    private volatile bool _accepting;
    private bool _stopped;

    /// <summary>Creates a receiver; <see cref="StartAsync"/> opens its journal.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="logger">Where warnings and errors go (never secrets or bodies); null for none.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public FirecrawlWebhookReceiver(FirecrawlWebhookReceiverOptions options, ILogger<FirecrawlWebhookReceiver>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = options.TimeProvider;
        _checkpoint = options.Checkpoint ?? new FileCheckpointStore(Path.Combine(options.JournalDirectory, "delivered.checkpoint"));
        _pages = Channel.CreateBounded<ScrapedPage>(new BoundedChannelOptions(Math.Max(1, options.Pipeline.SinkDefaults.ChannelCapacity)) { SingleReader = true, SingleWriter = true });
        _events = options.EventBufferCapacity > 0
            ? Channel.CreateBounded<WebhookEvent>(new BoundedChannelOptions(options.EventBufferCapacity) { SingleReader = true, SingleWriter = true })
            : null;
    }

    /// <summary>Gets the options the receiver was created with.</summary>
    internal FirecrawlWebhookReceiverOptions Options => _options;

    /// <summary>Gets the reports of the jobs reconciled so far, in order.</summary>
    public IReadOnlyList<WebhookJobReport> Reports
    {
        get
        {
            lock (_reports)
            {
                return [.. _reports];
            }
        }
    }

    /// <summary>
    /// Gets a task that completes when the receiver has stopped, and fails when its delivery to the sinks failed (a sink
    /// failed after its retries): deliveries are still journaled and acknowledged, and the next start delivers them.
    /// </summary>
    public Task Completion => _completion.Task;

    /// <summary>Gets what the pipeline did, once the receiver has stopped; null before, or without sinks.</summary>
    public PipelineResult? PipelineResult { get; private set; }

    /// <summary>
    /// Opens the journal (reading back what it holds and cutting a torn tail), starts the pipeline into the sinks and the
    /// delivery of every event the sinks had not made durable, and starts accepting deliveries.
    /// </summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when deliveries are accepted.</returns>
    /// <exception cref="InvalidDataException">The directory holds a file that is not a journal.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            if (_journal is not null)
            {
                return;
            }

            if (_options.AllowUnsignedDeliveries && _options.Secrets.Count == 0)
            {
                WebhookLog.UnsignedAccepted(_logger);
            }

            (Guid? journalId, long through) = await LoadCheckpointAsync(cancellationToken).ConfigureAwait(false);
            _journal = OpenJournal(journalId, through);
            if (_mustSave)
            {
                // A compacted journal has a new id: the checkpoint must name it before anything is delivered.
                await SaveCheckpointAsync(_processedThrough, cancellationToken).ConfigureAwait(false);
            }
            StartPipeline();
            _deliveryLoop = Task.Run(() => DeliverAsync(_stopping.Token), CancellationToken.None);
            if (_options.QuietPeriod is TimeSpan quiet && _options.JobClient is not null)
            {
                TimeSpan every = TimeSpan.FromTicks(Math.Clamp(quiet.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond * 30));
                _quietTimer = _time.CreateTimer(_ => CheckQuiet(), null, every, every);
            }

            _accepting = true;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Stops accepting deliveries (they are answered 503 and delivered again later), finishes writing the journal, lets the
    /// events already journaled reach the sinks (reconciliations in progress included, unless
    /// <paramref name="cancellationToken"/> is cancelled), flushes the sinks and records the checkpoint.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for deliveries and reconciliations still in progress; what was handed to the sinks is still flushed.</param>
    /// <returns>A task that completes when everything is flushed.</returns>
    /// <exception cref="Exception">The pipeline's failure (a sink's, after its retries), after every healthy sink was flushed.</exception>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            _accepting = false;
            await StopCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops the receiver (see <see cref="StopAsync"/>) without waiting for reconciliations in progress.</summary>
    /// <returns>A task that completes when everything is flushed.</returns>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(new CancellationToken(canceled: true)).ConfigureAwait(false);
        }
        catch (Exception) when (_completion.Task.IsFaulted)
        {
            // Reported through Completion.
        }

        _stopping.Dispose();
    }

    /// <summary>Reads the events as they are delivered, when <see cref="FirecrawlWebhookReceiverOptions.EventBufferCapacity"/> is set.</summary>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The events, in journal order, until the receiver stops.</returns>
    /// <exception cref="InvalidOperationException">Events are not buffered.</exception>
    public IAsyncEnumerable<WebhookEvent> ReadEventsAsync(CancellationToken cancellationToken = default) =>
        _events is null
            ? throw new InvalidOperationException("Events are not buffered: set FirecrawlWebhookReceiverOptions.EventBufferCapacity, or use OnEvent.")
            : _events.Reader.ReadAllAsync(cancellationToken);

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        using CancellationTokenRegistration stop = cancellationToken.Register(() => _stopping.Cancel());
        if (_quietTimer is not null)
        {
            await _quietTimer.DisposeAsync().ConfigureAwait(false);
        }

        if (_journal is not null)
        {
            // Appends in progress complete (and queue their events) before the file closes.
            await _journal.DisposeAsync().ConfigureAwait(false);
        }

        _deliveries.Writer.TryComplete();
        if (_deliveryLoop is not null)
        {
            await _deliveryLoop.ConfigureAwait(false);
        }

        _pages.Writer.TryComplete();
        _events?.Writer.TryComplete();
        try
        {
            if (_pipeline is not null)
            {
                PipelineResult = await _pipeline.ConfigureAwait(false);
            }

            // Every event handed on so far is durable in every sink now.
            await SaveCheckpointAsync(Volatile.Read(ref _processedThrough), CancellationToken.None).ConfigureAwait(false);
            _completion.TrySetResult();
        }
        catch (Exception e)
        {
            _completion.TrySetException(e);
            throw;
        }
    }

    private void StartPipeline()
    {
        if (_options.Sinks.Count == 0)
        {
            return;
        }

        PipelineOptions given = _options.Pipeline;
        var options = new PipelineOptions
        {
            SinkDefaults = given.SinkDefaults,
            Checkpoint = new JournalCheckpoint(this),
            CheckpointInterval = given.CheckpointInterval,
            CheckpointPeriod = given.CheckpointPeriod,
            CancellationFlushTimeout = given.CancellationFlushTimeout,
            Progress = given.Progress,
            ProgressInterval = given.ProgressInterval,
            MeterFactory = given.MeterFactory,
            TimeProvider = given.TimeProvider,
        };
        foreach ((string name, SinkOptions sink) in given.SinkOverrides)
        {
            options.SinkOverrides[name] = sink;
        }

        _pipeline = _pages.Reader.ReadAllAsync(CancellationToken.None).ToSinksAsync([.. _options.Sinks], options, CancellationToken.None);
        _pipeline.ContinueWith(
            t =>
            {
                if (t.IsFaulted)
                {
                    WebhookLog.PipelineFailed(_logger, t.Exception!.InnerException!);
                    _completion.TrySetException(t.Exception!.InnerExceptions);
                    _pipelineGone.Cancel();
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
