using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firecrawl.Streaming.Pipeline;

/// <summary>
/// One run: a reader that hands every page to every sink's bounded queue, and one <see cref="SinkRunner"/> per sink.
/// </summary>
/// <remarks>
/// <para>How a run ends decides what is saved. The source ends: every sink writes its queue, flushes, and the checkpoint
/// follows. The source fails, or a sink fails after its retries: reading stops, every healthy sink still writes every
/// page it was given, flushes, and the checkpoint follows; the failed sink flushes what it wrote before failing, and
/// as the checkpoint is the slowest sink's durable point it never passes a page the failed sink did not make durable.
/// Then the first failure is rethrown, unwrapped. The caller cancels: writing stops at once (pages still queued are
/// dropped), each sink flushes what it wrote within <see cref="PipelineOptions.CancellationFlushTimeout"/>, the
/// checkpoint follows, and an <see cref="OperationCanceledException"/> is thrown. Every task has ended before the
/// awaited call returns or throws.</para>
/// </remarks>
internal sealed partial class PagePipeline
{
    private readonly IAsyncEnumerable<ScrapedPage> _source;
    private readonly IJobStatusSource? _status;
    private readonly PipelineOptions _options;
    private readonly TimeProvider _time;
    private readonly SinkRunner[] _runners;
    private readonly DeadLetterFile[] _deadLetterFiles;
    private readonly ConcurrentDictionary<(string JobId, string Key), byte> _deadLettered = new();
    private readonly Lock _failureLock = new();
    private CancellationToken _callerToken;
    private CancellationTokenSource? _reading;
    private Exception? _failure;
    private long _started;
    private long _pagesRead;
    private long _bytesRead;

    /// <param name="source">The pages.</param>
    /// <param name="status">The job's status, when the source knows it.</param>
    /// <param name="sinks">The sinks.</param>
    /// <param name="options">The options.</param>
    /// <param name="resumedFrom">The resume token the source started after.</param>
    /// <param name="ownsPages">
    /// Whether the pipeline created the source and owns its pages: each page is then released (its pooled buffer returned)
    /// once every sink's write of it has completed. Pages of a caller's source are the caller's and are never released here.
    /// </param>
    public PagePipeline(IAsyncEnumerable<ScrapedPage> source, IJobStatusSource? status, IReadOnlyList<IPageSink> sinks, PipelineOptions options, string? resumedFrom, bool ownsPages = false)
    {
        _source = source;
        OwnsPages = ownsPages;
        _status = status;
        _options = options;
        _time = options.TimeProvider;
        Metrics = PipelineMetrics.For(options.MeterFactory);
        Logger = options.LoggerFactory?.CreateLogger(FirecrawlStreamingDiagnostics.LoggerCategory + ".Pipeline") ?? NullLogger.Instance;
        Watermark = new CheckpointWatermark([.. sinks.Select(s => s.Name)], options.Checkpoint, resumedFrom, Metrics, Logger);

        // Sinks whose options name the same dead-letter file share one writer, so their lines never interleave.
        var files = new Dictionary<string, DeadLetterFile>(StringComparer.Ordinal);
        _runners = new SinkRunner[sinks.Count];
        for (int i = 0; i < sinks.Count; i++)
        {
            SinkOptions sinkOptions = options.ForSink(sinks[i].Name);
            DeadLetterFile? deadLetters = null;
            if (sinkOptions.DeadLetter == DeadLetterPolicy.WriteToFile)
            {
                string path = Path.GetFullPath(sinkOptions.DeadLetterPath!);
                if (!files.TryGetValue(path, out deadLetters))
                {
                    files[path] = deadLetters = new DeadLetterFile(path, _time);
                }
            }

            _runners[i] = new SinkRunner(this, i, sinks[i], sinkOptions, options, deadLetters);
        }

        _deadLetterFiles = [.. files.Values];
    }

    public PipelineMetrics Metrics { get; }

    /// <summary>Gets a value indicating whether each sink runner releases the pages it was handed once their write completed.</summary>
    public bool OwnsPages { get; }

    public ILogger Logger { get; }

    public CheckpointWatermark Watermark { get; }

    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    /// <summary>Checks the sinks a caller passed: at least one, none null, distinct names.</summary>
    public static void ValidateSinks(IReadOnlyList<IPageSink> sinks)
    {
        if (sinks.Count == 0)
        {
            throw new ArgumentException("At least one sink is required.", nameof(sinks));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (IPageSink? sink in sinks)
        {
            if (sink is null)
            {
                throw new ArgumentException("A sink is null.", nameof(sinks));
            }

            if (string.IsNullOrWhiteSpace(sink.Name) || !names.Add(sink.Name))
            {
                throw new ArgumentException(
                    $"Sink names must be non-empty and distinct (they key options, progress, metrics and checkpoints); \"{sink.Name}\" is not.", nameof(sinks));
            }
        }
    }

    public async Task<PipelineResult> RunAsync(CancellationToken cancellationToken)
    {
        _started = _time.GetTimestamp();
        _callerToken = cancellationToken;
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _reading = reading;
        foreach (SinkRunner runner in _runners)
        {
            Metrics.Register(runner);
        }

        ITimer? progressTimer = StartProgress();
        bool succeeded = false;
        try
        {
            // Neither the reader nor a runner throws: each records its failure through Fail.
            var tasks = new Task[_runners.Length + 1];
            for (int i = 0; i < _runners.Length; i++)
            {
                tasks[i] = _runners[i].RunAsync(cancellationToken);
            }

            tasks[^1] = ReadAsync(reading.Token);
            await Task.WhenAll(tasks).ConfigureAwait(false);
            succeeded = _failure is null && !cancellationToken.IsCancellationRequested;
        }
        finally
        {
            if (progressTimer is not null)
            {
                await progressTimer.DisposeAsync().ConfigureAwait(false);
            }

            foreach (SinkRunner runner in _runners)
            {
                Metrics.Unregister(runner);
            }

            Watermark.Dispose();
            foreach (DeadLetterFile file in _deadLetterFiles)
            {
                await file.DisposeAsync().ConfigureAwait(false);
            }

            await DisposeSinksAsync(throwOnError: succeeded).ConfigureAwait(false);
        }

        PipelineResult result = BuildResult();
        if (!succeeded)
        {
            // The caller's own cancellation comes first: whatever failed after it is its consequence.
            Exception error = cancellationToken.IsCancellationRequested ? new OperationCanceledException(cancellationToken) : _failure!;
            result.AttachTo(error);
            ExceptionDispatchInfo.Throw(error);
        }

        _options.Progress?.Report(Snapshot(isFinal: true));
        return result;
    }

    /// <summary>
    /// Records the first failure (of the source, a sink or the checkpoint store) and stops reading; the sinks drain what
    /// they were given. Failures after the caller cancelled are consequences of the cancellation, not causes.
    /// </summary>
    public void Fail(Exception error)
    {
        lock (_failureLock)
        {
            if (_callerToken.IsCancellationRequested)
            {
                return;
            }

            _failure ??= error;
        }

        _reading!.Cancel();
    }

    /// <summary>Counts a page a sink set aside; pages set aside by several sinks count once.</summary>
    public void OnDeadLettered(ScrapedPage page, KeyValuePair<string, object?> sinkTag, Exception error)
    {
        Log.DeadLettered(Logger, (string)sinkTag.Value!, page.Key, error.Message);
        _deadLettered.TryAdd((page.JobId, page.Key), 0);
        Metrics.DeadLettered.Add(1, sinkTag);
    }

    /// <summary>Reads the source, numbering pages in read order, and offers each page to every sink's queue.</summary>
    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        // Start reading on the thread pool: a source may do synchronous work before its first await.
        await Task.Yield();
        try
        {
            long sequence = 0;
            var full = new List<SinkRunner>(_runners.Length);
            IAsyncEnumerable<ScrapedPage> source = _options.PageFilter is { } filter ? FilterAsync(filter, cancellationToken) : _source;
            await foreach (ScrapedPage page in source.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                Watermark.OnRead(sequence++, page.ResumeToken);
                Interlocked.Increment(ref _pagesRead);
                Interlocked.Add(ref _bytesRead, page.Utf8Length);
                Metrics.PagesRead.Add(1);

                // One hold per sink (the page came with one): each runner releases its own after the write. A page that
                // never reaches some queue (reading stopped) is left to the garbage collector.
                if (OwnsPages)
                {
                    page.AddHolders(_runners.Length - 1);
                }

                // Every queue with room gets the page first, so a fast sink is not kept waiting behind a slow one;
                // then a full queue makes the reader wait: the slowest sink sets the pace.
                foreach (SinkRunner runner in _runners)
                {
                    if (!runner.Writer.TryWrite(page))
                    {
                        full.Add(runner);
                    }
                }

                foreach (SinkRunner runner in full)
                {
                    await runner.Writer.WriteAsync(page, cancellationToken).ConfigureAwait(false);
                }

                full.Clear();
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Reading was stopped: by the caller, or because a sink failed (recorded already).
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            // The sinks write what they were given, then end.
            foreach (SinkRunner runner in _runners)
            {
                runner.Writer.TryComplete();
            }
        }
    }

    private async ValueTask DisposeSinksAsync(bool throwOnError)
    {
        if (_options.LeaveSinksOpen)
        {
            return; // the caller's to use and dispose
        }

        Exception? first = null;
        foreach (SinkRunner runner in _runners)
        {
            try
            {
                await runner.Sink.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (first is null)
            {
                first = e;
            }
            catch (Exception)
            {
                // Only the first disposal error is reported; every sink is still disposed.
            }
        }

        if (first is not null && throwOnError)
        {
            ExceptionDispatchInfo.Throw(first);
        }
    }
}
