using System.Runtime.ExceptionServices;

namespace Firecrawl.Streaming.Pipeline;

/// <summary>Writing a batch, and setting aside the pages that fail it when the sink's dead-letter policy says so.</summary>
internal sealed partial class SinkRunner
{
    private readonly DeadLetterFile? _deadLetters;
    private long _pagesDeadLettered;

    public long PagesDeadLettered => Interlocked.Read(ref _pagesDeadLettered);

    /// <summary>Writes a batch with retries; when they run out and pages may be set aside, finds the ones that fail.</summary>
    private async Task WriteBatchAsync(List<ScrapedPage> batch, CancellationToken cancellationToken)
    {
        Exception failure;
        try
        {
            await WriteWithRetriesAsync(batch, cancellationToken).ConfigureAwait(false);
            CountWritten(batch);
            return;
        }
        catch (Exception e) when (_deadLetters is not null && !cancellationToken.IsCancellationRequested)
        {
            failure = e;
        }

        await IsolateAsync(batch, failure, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the pages of a batch that failed one at a time, once each, so the healthy ones are stored, and sets aside
    /// the ones that still fail. When every page of a batch of several fails alone, the sink is failing rather than a
    /// page: setting them all aside would turn an outage into a dead-letter file, so the run fails instead.
    /// </summary>
    private async Task IsolateAsync(List<ScrapedPage> batch, Exception batchError, CancellationToken cancellationToken)
    {
        if (batch.Count == 1)
        {
            await DeadLetterAsync(batch[0], batchError, cancellationToken).ConfigureAwait(false);
            return;
        }

        var written = new List<ScrapedPage>(batch.Count);
        var failed = new List<(ScrapedPage Page, Exception Error)>();
        foreach (ScrapedPage page in batch)
        {
            try
            {
                await Sink.WriteAsync([page], cancellationToken).ConfigureAwait(false);
                written.Add(page);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                failed.Add((page, e));
            }
        }

        if (written.Count == 0)
        {
            ExceptionDispatchInfo.Throw(batchError);
        }

        CountWritten(written);
        foreach ((ScrapedPage page, Exception error) in failed)
        {
            await DeadLetterAsync(page, error, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask DeadLetterAsync(ScrapedPage page, Exception error, CancellationToken cancellationToken)
    {
        await _deadLetters!.AppendAsync(page, Sink.Name, error, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _pagesDeadLettered);
        _pipeline.OnDeadLettered(page, Tag, error);
    }
}
