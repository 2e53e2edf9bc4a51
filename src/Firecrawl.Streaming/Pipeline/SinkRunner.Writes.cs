namespace Firecrawl.Streaming.Pipeline;

/// <summary>Writing batches (in order, or several at once), retrying failures, and flushing.</summary>
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
            await WriteWithRetriesAsync(batch, cancellationToken).ConfigureAwait(false);
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
            await WriteWithRetriesAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The runner may be waiting for pages rather than for this write: stop the run now, not at the next batch.
            _pipeline.Fail(e);
            throw;
        }
        finally
        {
            _slots!.Release();
        }
    }

    private async Task WriteWithRetriesAsync(List<ScrapedPage> batch, CancellationToken cancellationToken)
    {
        var backoff = new SinkRetry(_options);
        while (true)
        {
            try
            {
                await Sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (backoff.ShouldRetry(e, cancellationToken, out TimeSpan delay))
            {
                CountRetry();
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }

        long bytes = 0;
        foreach (ScrapedPage page in batch)
        {
            bytes += page.Utf8Length;
        }

        Interlocked.Add(ref _pagesWritten, batch.Count);
        Interlocked.Add(ref _bytesWritten, bytes);
        _pipeline.Metrics.PagesWritten.Add(batch.Count, Tag);
        _pipeline.Metrics.BytesWritten.Add(bytes, Tag);
    }

    /// <summary>
    /// Waits for every write, flushes the sink, and reports the pages the flush covered. Writes and flushes never
    /// overlap, so a sink need not guard its flush against its own writes.
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
        while (true)
        {
            try
            {
                await Sink.FlushAsync(cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (backoff.ShouldRetry(e, cancellationToken, out TimeSpan delay))
            {
                CountRetry();
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }

        _unflushed = 0;
        Interlocked.Exchange(ref _durableThrough, through);
        if (through >= 0)
        {
            await _pipeline.Watermark.OnDurableAsync(Index, through, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for writes still running after a failure or cancellation; their errors were reported already.</summary>
    private async ValueTask DrainQuietlyAsync()
    {
        while (_inFlight.TryDequeue(out (Task Write, long LastSequence) write))
        {
            try
            {
                await write.Write.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Reported through PagePipeline.Fail by the write itself, or a consequence of the run's cancellation.
            }
        }
    }

    private void CountRetry()
    {
        Interlocked.Increment(ref _retries);
        _pipeline.Metrics.Retries.Add(1, Tag);
    }
}
