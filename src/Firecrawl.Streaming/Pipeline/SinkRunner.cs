using System.Threading.Channels;

namespace Firecrawl.Streaming.Pipeline;

/// <summary>
/// Feeds one sink: owns its bounded queue, gathers batches by size and by delay, writes them (with retries, up to
/// <see cref="SinkOptions.MaxDegreeOfParallelism"/> at once, setting poison pages aside when the sink's dead-letter
/// policy says so), flushes at checkpoint points, and reports to the watermark how far the sink is durable.
/// </summary>
/// <remarks>
/// The runner never throws: when its sink fails it records the error (<see cref="Error"/>), tells the pipeline (which
/// stops reading, while the other sinks drain their queues), and flushes once what the sink wrote before the failure,
/// so the checkpoint can reach that far. When the caller cancels, it stops writing and does the same flush within
/// <see cref="PipelineOptions.CancellationFlushTimeout"/>.
/// </remarks>
internal sealed partial class SinkRunner
{
    private readonly PagePipeline _pipeline;
    private readonly SinkOptions _options;
    private readonly TimeProvider _time;
    private readonly int _checkpointInterval;
    private readonly TimeSpan _checkpointPeriod;
    private readonly Channel<ScrapedPage> _queue;
    private readonly TimeSpan _cancellationFlushTimeout;
    private CancellationTokenSource? _own;
    private Exception? _error;
    private bool _flushFailed;

    public SinkRunner(PagePipeline pipeline, int index, IPageSink sink, SinkOptions options, PipelineOptions pipelineOptions, DeadLetterFile? deadLetters)
    {
        _pipeline = pipeline;
        _deadLetters = deadLetters;
        _cancellationFlushTimeout = pipelineOptions.CancellationFlushTimeout;
        Index = index;
        Sink = sink;
        _options = options;
        _time = pipelineOptions.TimeProvider;
        _checkpointInterval = pipelineOptions.CheckpointInterval;
        _checkpointPeriod = pipelineOptions.CheckpointPeriod;
        Tag = new KeyValuePair<string, object?>(PipelineMetrics.SinkTag, sink.Name);

        // Wait, never drop: a full queue holds the reader back, which is what bounds memory.
        _queue = Channel.CreateBounded<ScrapedPage>(new BoundedChannelOptions(options.ChannelCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
        _slots = options.MaxDegreeOfParallelism > 1 ? new SemaphoreSlim(options.MaxDegreeOfParallelism) : null;
    }

    private enum WaitOutcome
    {
        Pages,
        Completed,
        TimedOut,
    }

    public int Index { get; }

    public IPageSink Sink { get; }

    public KeyValuePair<string, object?> Tag { get; }

    public ChannelWriter<ScrapedPage> Writer => _queue.Writer;

    public int QueueDepth => _queue.Reader.Count;

    /// <summary>Gets the time from the start of the run to the sink's last flush, once it has finished.</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>Gets the exception the sink failed with, or null.</summary>
    public Exception? Error => Volatile.Read(ref _error);

    /// <summary>Consumes the queue until the reader completes it, writes the rest and flushes; on failure or cancellation, settles.</summary>
    /// <param name="runToken">Cancelled only when the caller cancels the run.</param>
    public async Task RunAsync(CancellationToken runToken)
    {
        using var own = CancellationTokenSource.CreateLinkedTokenSource(runToken);
        _own = own;
        try
        {
            await ConsumeAsync(own.Token).ConfigureAwait(false);
            Elapsed = _pipeline.Elapsed;
        }
        catch (Exception e) when (!runToken.IsCancellationRequested)
        {
            // A failed write or flush of this sink, or the cancellation a failed parallel write caused (recorded already).
            RecordFailure(e);
        }
        catch (Exception)
        {
            // Cancelled by the caller: not the sink's failure.
        }
        finally
        {
            // Whatever ended the loop, no write started here may outlive the run, and what was written is flushed.
            await SettleAsync(runToken).ConfigureAwait(false);
            _slots?.Dispose();
        }
    }

    /// <summary>Records the sink's first failure, tells the pipeline, and stops this sink's writes still running.</summary>
    private void RecordFailure(Exception error)
    {
        if (Interlocked.CompareExchange(ref _error, error, null) is null)
        {
            Log.SinkFailed(_pipeline.Logger, Sink.Name, error.Message);
            _pipeline.Fail(error);
            _own!.Cancel();
        }
    }

    private async Task ConsumeAsync(CancellationToken cancellationToken)
    {
        ChannelReader<ScrapedPage> reader = _queue.Reader;
        var batch = new List<ScrapedPage>(_options.BatchSize);
        long batchStarted = 0;
        while (true)
        {
            while (batch.Count < _options.BatchSize && reader.TryRead(out ScrapedPage? page))
            {
                if (batch.Count == 0)
                {
                    batchStarted = _time.GetTimestamp();
                }

                batch.Add(page);
            }

            bool full = batch.Count == _options.BatchSize;
            if (full || (batch.Count > 0 && _time.GetElapsedTime(batchStarted) >= _options.MaxBatchDelay))
            {
                await DispatchAsync(batch, cancellationToken).ConfigureAwait(false);
                batch = new List<ScrapedPage>(_options.BatchSize);
            }

            if (FlushDue)
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            if (full)
            {
                // More pages may be queued already: gather them before waiting.
                continue;
            }

            WaitOutcome outcome = await WaitForPagesAsync(batch.Count > 0 ? batchStarted : null, cancellationToken).ConfigureAwait(false);
            if (outcome == WaitOutcome.Completed)
            {
                break;
            }
        }

        if (batch.Count > 0)
        {
            await DispatchAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private bool FlushDue => _unflushed > 0
        && (_unflushed >= _checkpointInterval
            || (_checkpointPeriod != Timeout.InfiniteTimeSpan && _time.GetElapsedTime(_unflushedSince) >= _checkpointPeriod));

    /// <summary>
    /// Waits for the next page, but no longer than until the partial batch (started at <paramref name="batchStarted"/>)
    /// or a flush of unflushed pages falls due.
    /// </summary>
    private async ValueTask<WaitOutcome> WaitForPagesAsync(long? batchStarted, CancellationToken cancellationToken)
    {
        TimeSpan? wait = null;
        if (batchStarted is long started)
        {
            wait = _options.MaxBatchDelay - _time.GetElapsedTime(started);
        }

        if (_unflushed > 0 && _checkpointPeriod != Timeout.InfiniteTimeSpan)
        {
            TimeSpan untilFlush = _checkpointPeriod - _time.GetElapsedTime(_unflushedSince);
            wait = wait is TimeSpan w && w < untilFlush ? w : untilFlush;
        }

        ChannelReader<ScrapedPage> reader = _queue.Reader;
        if (wait is not TimeSpan timeout)
        {
            return await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) ? WaitOutcome.Pages : WaitOutcome.Completed;
        }

        if (timeout <= TimeSpan.Zero)
        {
            return WaitOutcome.TimedOut;
        }

        using var timer = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            return await reader.WaitToReadAsync(linked.Token).ConfigureAwait(false) ? WaitOutcome.Pages : WaitOutcome.Completed;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return WaitOutcome.TimedOut;
        }
    }
}
