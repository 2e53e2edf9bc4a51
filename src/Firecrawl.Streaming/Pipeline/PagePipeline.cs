using System.Runtime.ExceptionServices;

namespace Firecrawl.Streaming.Pipeline;

/// <summary>
/// One run: a reader that hands every page to every sink's bounded queue, and one <see cref="SinkRunner"/> per
/// sink. The first failure cancels everything else; the run then waits for every task before it rethrows, so no
/// task outlives the awaited call.
/// </summary>
internal sealed partial class PagePipeline
{
    private readonly IAsyncEnumerable<ScrapedPage> _source;
    private readonly IJobStatusSource? _status;
    private readonly PipelineOptions _options;
    private readonly TimeProvider _time;
    private readonly SinkRunner[] _runners;
    private readonly Lock _failureLock = new();
    private CancellationTokenSource? _run;
    private Exception? _failure;
    private long _started;
    private long _pagesRead;
    private long _bytesRead;

    public PagePipeline(IAsyncEnumerable<ScrapedPage> source, IJobStatusSource? status, IReadOnlyList<IPageSink> sinks, PipelineOptions options, string? resumedFrom)
    {
        _source = source;
        _status = status;
        _options = options;
        _time = options.TimeProvider;
        Metrics = PipelineMetrics.For(options.MeterFactory);
        Watermark = new CheckpointWatermark(sinks.Count, options.Checkpoint, resumedFrom, Metrics);
        _runners = new SinkRunner[sinks.Count];
        for (int i = 0; i < sinks.Count; i++)
        {
            _runners[i] = new SinkRunner(this, i, sinks[i], options.ForSink(sinks[i].Name), options);
        }
    }

    public PipelineMetrics Metrics { get; }

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
                    $"Sink names must be non-empty and distinct (they key options, progress and metrics); \"{sink.Name}\" is not.", nameof(sinks));
            }
        }
    }

    public async Task<PipelineResult> RunAsync(CancellationToken cancellationToken)
    {
        _started = _time.GetTimestamp();
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _run = run;
        foreach (SinkRunner runner in _runners)
        {
            Metrics.Register(runner);
        }

        ITimer? progressTimer = StartProgress();
        bool succeeded = false;
        try
        {
            var tasks = new Task[_runners.Length + 1];
            for (int i = 0; i < _runners.Length; i++)
            {
                tasks[i] = GuardAsync(_runners[i].RunAsync, run.Token);
            }

            tasks[^1] = GuardAsync(ReadAsync, run.Token);
            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Every task has finished; which exception to surface is decided below.
            }

            if (_failure is not null)
            {
                ExceptionDispatchInfo.Throw(_failure);
            }

            cancellationToken.ThrowIfCancellationRequested();
            succeeded = true;
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
            await DisposeSinksAsync(throwOnError: succeeded).ConfigureAwait(false);
        }

        PipelineResult result = BuildResult();
        _options.Progress?.Report(Snapshot(isFinal: true));
        return result;
    }

    /// <summary>
    /// Records the first failure and cancels the run. Exceptions raised after the run was cancelled are its
    /// consequences, not causes, and are not recorded.
    /// </summary>
    public void Fail(Exception error)
    {
        lock (_failureLock)
        {
            if (_run!.IsCancellationRequested)
            {
                return;
            }

            _failure = error;
            _run.Cancel();
        }
    }

    private async Task GuardAsync(Func<CancellationToken, Task> body, CancellationToken cancellationToken)
    {
        try
        {
            await body(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }
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
            await foreach (ScrapedPage page in _source.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                Watermark.OnRead(sequence++, page.ResumeToken);
                Interlocked.Increment(ref _pagesRead);
                Interlocked.Add(ref _bytesRead, page.Utf8Length);
                Metrics.PagesRead.Add(1);
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
        finally
        {
            foreach (SinkRunner runner in _runners)
            {
                runner.Writer.TryComplete();
            }
        }
    }

    private async ValueTask DisposeSinksAsync(bool throwOnError)
    {
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
