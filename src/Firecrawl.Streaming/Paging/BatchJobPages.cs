using System.Runtime.CompilerServices;

namespace Firecrawl.Streaming;

/// <summary>
/// The pages of one batch-scrape job, in order, as an <see cref="IAsyncEnumerable{T}"/>. Each enumeration
/// sends its own requests, starting from the first page or from <see cref="BatchStreamOptions.ResumeAfter"/>.
/// </summary>
/// <remarks>
/// Pages are yielded as soon as their bytes have arrived. Chunks are followed through their <c>next</c>
/// cursor on the configured origin only; a job that is still scraping is polled every
/// <see cref="FirecrawlClientOptions.PollInterval"/> when it has nothing new; pages served twice are dropped.
/// </remarks>
public sealed partial class BatchJobPages : IAsyncEnumerable<ScrapedPage>
{
    private readonly FirecrawlClient _client;
    private readonly BatchStreamOptions _options;
    private readonly CancellationToken _cancellationToken;
    private BatchScrapeStatus? _status;
    private long _bytesReceived;
    private long _requests;
    private long _duplicates;

    internal BatchJobPages(FirecrawlClient client, string jobId, BatchStreamOptions options, CancellationToken cancellationToken)
    {
        _client = client;
        JobId = jobId;
        _options = options;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Gets the job id.</summary>
    public string JobId { get; }

    /// <summary>Gets the job's status as of the latest response, or <see langword="null"/> before the first one.</summary>
    public BatchScrapeStatus? Status => Volatile.Read(ref _status);

    /// <summary>Gets the response body bytes received so far.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Gets the number of chunk requests that succeeded so far.</summary>
    public long ChunksReceived => Interlocked.Read(ref _requests);

    /// <summary>Gets the number of pages dropped because the server had served them already.</summary>
    public long DuplicatesDropped => Interlocked.Read(ref _duplicates);

    /// <summary>Raised (on the enumerating thread) whenever <see cref="Status"/> changes.</summary>
    public event EventHandler<BatchScrapeStatus>? StatusChanged;

    /// <inheritdoc/>
    public IAsyncEnumerator<ScrapedPage> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    private async IAsyncEnumerable<ScrapedPage> EnumerateAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken, cancellationToken);
        CancellationToken token = linked.Token;
        FirecrawlClientOptions options = _client.Options;
        TimeProvider time = options.TimeProvider;
        var resume = ResumePoint.From(_options.ResumeAfter, JobId);
        long skip = resume.Skip;
        var seen = _options.DropDuplicates ? new ScrapeIdSet() : null;
        var pages = new List<ScrapedPage>();
        var progress = new StallWatch(time, options.JobStallTimeout);

        ChunkSession? prefetched = null;
        try
        {
            while (true)
            {
                ChunkSession chunk = prefetched?.Skip == skip ? prefetched : new ChunkSession(_client, JobId, skip, _options);
                if (prefetched is not null && prefetched != chunk)
                {
                    await prefetched.DisposeAsync().ConfigureAwait(false);
                }

                prefetched = null;
                int delivered = 0;
                bool prefetchDecided = false;
                try
                {
                    while (await chunk.ReadBatchAsync(pages, token).ConfigureAwait(false))
                    {
                        PublishStatus(chunk.Envelope);
                        // Decide once per chunk, when its next cursor first appears, not on every batch.
                        if (!prefetchDecided && chunk.Envelope.Next is not null)
                        {
                            prefetchDecided = true;
                            prefetched = PrefetchNext(chunk, token);
                        }
                        for (int i = 0; i < pages.Count; i++)
                        {
                            ScrapedPage page = pages[i];
                            pages[i] = null!;
                            bool resumed = resume.IsAlreadyDelivered(page);
                            bool duplicate = seen is not null && !seen.Add(page) && !resumed;
                            if (resumed || duplicate)
                            {
                                if (duplicate)
                                {
                                    Interlocked.Increment(ref _duplicates);
                                }

                                page.Dispose();
                                continue;
                            }

                            delivered++;
                            yield return page;
                        }

                        pages.Clear();
                    }
                }
                finally
                {
                    foreach (ScrapedPage? left in pages)
                    {
                        left?.Dispose();
                    }

                    pages.Clear();
                    Interlocked.Add(ref _bytesReceived, chunk.BytesReceived);
                    await chunk.DisposeAsync().ConfigureAwait(false);
                }

                Interlocked.Increment(ref _requests);
                BatchEnvelope envelope = chunk.Envelope;
                BatchScrapeStatus status = CompleteStatus(envelope, chunk.Uri);
                long? next = envelope.Next is null ? null : NextCursor.Parse(envelope.Next, JobId, chunk.Uri);
                if (status.IsTerminal)
                {
                    // Older servers send a next link on a finished job that leads to an empty chunk.
                    if (next is null || chunk.PageCount == 0)
                    {
                        yield break;
                    }

                    if (next <= skip)
                    {
                        throw new FirecrawlException(
                            $"The job {JobId} is {status.Status} but its next link does not advance (skip {next} after skip {skip}).",
                            FirecrawlErrorCode.CursorStalled) { RequestUri = chunk.Uri, Status = 200 };
                    }

                    skip = next.Value;
                    continue;
                }

                // Still scraping: next may point at the same cursor when nothing new has finished yet.
                long target = next ?? skip + chunk.PageCount;
                if (progress.Observe(delivered > 0, status))
                {
                    throw new FirecrawlException(
                        $"The job {JobId} has reported \"{status.Status}\" for {options.JobStallTimeout} without a new page or a change in its counts.",
                        FirecrawlErrorCode.CursorStalled) { RequestUri = chunk.Uri, Status = 200 };
                }

                if (chunk.PageCount == 0 || target == skip)
                {
                    await Task.Delay(options.PollInterval, time, token).ConfigureAwait(false);
                }

                skip = target;
            }
        }
        finally
        {
            // However the stream ends (done, an error, the consumer stopped), a prefetched request is not wanted.
            if (prefetched is not null)
            {
                await prefetched.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Starts the request for the next chunk as soon as this chunk's <c>next</c> cursor is known and
    /// advances (the real server sends <c>next</c> before <c>data</c>), so that the next response's latency
    /// overlaps the parsing and consuming of this one.
    /// </summary>
    private ChunkSession? PrefetchNext(ChunkSession chunk, CancellationToken cancellationToken)
    {
        if (chunk.Envelope.Next is not string link)
        {
            return null;
        }

        long next = NextCursor.Parse(link, JobId, chunk.Uri);
        if (next <= chunk.Skip)
        {
            return null; // nothing new yet: the next request waits for the poll interval
        }

        var session = new ChunkSession(_client, JobId, next, _options);
        session.Prefetch(cancellationToken);
        return session;
    }

    private void PublishStatus(in BatchEnvelope envelope)
    {
        if (envelope.Status is null)
        {
            return;
        }

        BatchScrapeStatus? previous = _status;
        var current = new BatchScrapeStatus(
            envelope.Status,
            envelope.Total ?? previous?.Total ?? 0,
            envelope.Completed ?? previous?.Completed ?? 0,
            envelope.CreditsUsed ?? previous?.CreditsUsed ?? 0,
            envelope.ExpiresAt ?? previous?.ExpiresAt)
        { Warning = envelope.Warning };
        if (current != previous)
        {
            Volatile.Write(ref _status, current);
            StatusChanged?.Invoke(this, current);
        }
    }

    private BatchScrapeStatus CompleteStatus(in BatchEnvelope envelope, Uri uri)
    {
        if (envelope.Success == false)
        {
            string? error = _client.Redact(envelope.Error);
            throw new FirecrawlException(
                $"Firecrawl reported a failure for job {JobId}: {error ?? "no reason given"}.",
                FirecrawlErrorCode.RequestFailed) { Status = 200, ServerError = error, RequestUri = uri };
        }

        if (envelope.Status is null)
        {
            throw new FirecrawlException($"The response to {uri} has no \"status\".", FirecrawlErrorCode.MalformedResponse) { RequestUri = uri, Status = 200 };
        }

        PublishStatus(envelope);
        return _status!;
    }
}
