using System.Diagnostics;

namespace Firecrawl.Streaming.Pipeline;

/// <summary>Writing batches (in order, or several at once), retrying failures, flushing, and settling at the end.</summary>
internal sealed partial class SinkRunner
{
    private readonly SemaphoreSlim? _slots;

    // Batches being written, oldest first, with the number of their last page. A batch that completes early stays
    // queued until those before it complete: the sink counts as written only through an unbroken run of pages.
    private readonly Queue<(Task Write, long LastSequence)> _inFlight = new();

    private long _nextSequence;
    private long _writtenThrough = -1;
    private long _durableThrough = -1;
    private long _unflushed;
    private long _unflushedSince;
    private long _pagesWritten;
    private long _bytesWritten;
    private long _retries;

    public long PagesWritten => Interlocked.Read(ref _pagesWritten);

    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    public long PagesDurable => Interlocked.Read(ref _durableThrough) + 1;

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Writes a batch: inline when one write at a time is allowed, else in a free slot.</summary>
    private async ValueTask DispatchAsync(List<ScrapedPage> batch, CancellationToken cancellationToken)
    {
        if (_unflushed == 0)
        {
            _unflushedSince = _time.GetTimestamp();
        }

        _nextSequence += batch.Count;
        _unflushed += batch.Count;
        long last = _nextSequence - 1;
        if (_slots is null)
        {
            try
            {
                await WriteBatchAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Release(batch);
            }

            _writtenThrough = last;
            return;
        }

        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        _inFlight.Enqueue((WriteInSlotAsync(batch, cancellationToken), last));
        while (_inFlight.TryPeek(out (Task Write, long LastSequence) head) && head.Write.IsCompleted)
        {
            _inFlight.Dequeue();
            await head.Write.ConfigureAwait(false);
            _writtenThrough = head.LastSequence;
        }
    }

    private async Task WriteInSlotAsync(List<ScrapedPage> batch, CancellationToken cancellationToken)
    {
        try
        {
            await WriteBatchAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The runner may be waiting for pages rather than for this write: stop the sink now, not at the next batch.
            RecordFailure(e);
            throw;
        }
        finally
        {
            Release(batch);
            _slots!.Release();
        }
    }

    /// <summary>The sink is done with these pages (written, dead-lettered or failed): the pipeline's holds on them end.</summary>
    private void Release(List<ScrapedPage> batch)
    {
        if (!_pipeline.OwnsPages)
        {
            return;
        }

        foreach (ScrapedPage page in batch)
        {
            page.Dispose();
        }
    }

    private async Task WriteWithRetriesAsync(List<ScrapedPage> batch, CancellationToken cancellationToken)
    {
        using Activity? span = StartSpan("firecrawl.sink.write", batch.Count);
        var backoff = new SinkRetry(_options);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await Sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (backoff.ShouldRetry(e, cancellationToken, out TimeSpan delay))
            {
                CountRetry("write");
                Log.SinkRetrying(_pipeline.Logger, Sink.Name, "write", batch.Count, delay.TotalMilliseconds, attempt, e.Message);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (span is not null)
            {
                span.SetStatus(ActivityStatusCode.Error, e.Message);
                throw;
            }
        }
    }

    private void CountWritten(List<ScrapedPage> pages)
    {
        long bytes = 0;
        foreach (ScrapedPage page in pages)
        {
            bytes += page.Utf8Length;
        }

        Interlocked.Add(ref _pagesWritten, pages.Count);
        Interlocked.Add(ref _bytesWritten, bytes);
        _pipeline.Metrics.PagesWritten.Add(pages.Count, Tag);
        _pipeline.Metrics.BytesWritten.Add(bytes, Tag);
    }

    /// <summary>
    /// Waits for every write, flushes the sink (and the dead-letter file), and reports the pages the flush covered.
    /// Writes and flushes never overlap, so a sink need not guard its flush against its own writes.
    /// </summary>
    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        while (_inFlight.TryDequeue(out (Task Write, long LastSequence) write))
        {
            await write.Write.ConfigureAwait(false);
            _writtenThrough = write.LastSequence;
        }

        long through = _writtenThrough;
        var backoff = new SinkRetry(_options);
        int pages = (int)Math.Min(_unflushed, int.MaxValue);
        using (Activity? span = StartSpan("firecrawl.sink.flush", pages))
        {
            long started = _time.GetTimestamp();
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    await FlushOnceAsync(cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (Exception e) when (backoff.ShouldRetry(e, cancellationToken, out TimeSpan delay))
                {
                    CountRetry("flush");
                    Log.SinkRetrying(_pipeline.Logger, Sink.Name, "flush", pages, delay.TotalMilliseconds, attempt, e.Message);
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    // A sink that cannot flush cannot make anything more durable: settling does not try again.
                    _flushFailed = true;
                    span?.SetStatus(ActivityStatusCode.Error, e.Message);
                    throw;
                }
            }

            _pipeline.Metrics.FlushDuration.Record(_time.GetElapsedTime(started).TotalSeconds, Tag);
        }

        _unflushed = 0;
        await ReportDurableAsync(through, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask FlushOnceAsync(CancellationToken cancellationToken)
    {
        await Sink.FlushAsync(cancellationToken).ConfigureAwait(false);

        // The checkpoint that passes a page set aside must find it in the dead-letter file after a crash.
        if (_deadLetters is not null)
        {
            await _deadLetters.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask ReportDurableAsync(long through, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _durableThrough, through);
        if (through < 0)
        {
            return;
        }

        try
        {
            await _pipeline.Watermark.OnDurableAsync(Index, through, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The checkpoint store failed, not the sink: the run fails with it, and this sink goes on draining its queue.
            _pipeline.Fail(e);
        }
    }

    /// <summary>
    /// After a failure or a cancellation: waits for writes still running (their errors were recorded already), then
    /// flushes once what the sink wrote, so the checkpoint reaches as far as the sink got. Errors here change nothing:
    /// the checkpoint stays at the last page the sink made durable.
    /// </summary>
    private async ValueTask SettleAsync(CancellationToken runToken)
    {
        bool unbroken = true;
        while (_inFlight.TryDequeue(out (Task Write, long LastSequence) write))
        {
            try
            {
                await write.Write.ConfigureAwait(false);
                if (unbroken)
                {
                    _writtenThrough = write.LastSequence;
                }
            }
            catch (Exception)
            {
                unbroken = false;
            }
        }

        bool cancelled = runToken.IsCancellationRequested;
        if (_flushFailed || _writtenThrough <= Interlocked.Read(ref _durableThrough) || (cancelled && _cancellationFlushTimeout == TimeSpan.Zero))
        {
            return;
        }

        // After the caller cancelled, a grace period of its own; after a failure, the run's token, which the caller may still cancel.
        using CancellationTokenSource? grace = cancelled ? new CancellationTokenSource(_cancellationFlushTimeout, _time) : null;
        CancellationToken token = grace?.Token ?? runToken;
        long through = _writtenThrough;
        try
        {
            await FlushOnceAsync(token).ConfigureAwait(false);
            await ReportDurableAsync(through, token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Best effort, as the doc says: a sink that cannot flush now keeps its last durable point.
        }
    }

    private void CountRetry(string operation)
    {
        Interlocked.Increment(ref _retries);
        _pipeline.Metrics.Retries.Add(1, Tag, new KeyValuePair<string, object?>(PipelineMetrics.OperationTag, operation));
    }

    private Activity? StartSpan(string name, int pages)
    {
        Activity? span = FirecrawlStreamingDiagnostics.Source.StartActivity(name, ActivityKind.Internal);
        span?.SetTag(PipelineMetrics.SinkTag, Sink.Name);
        span?.SetTag("firecrawl.sink.pages", pages);
        return span;
    }
}
