using System.Runtime.CompilerServices;

namespace Firecrawl.Streaming;

/// <summary>
/// The pages of one batch-scrape or crawl job, in order, as an <see cref="IAsyncEnumerable{T}"/>. Each enumeration
/// sends its own requests, starting from the first page or from <see cref="JobStreamOptions.ResumeAfter"/>.
/// </summary>
/// <remarks>
/// Pages are yielded as soon as their bytes have arrived. Chunks are followed through their <c>next</c>
/// cursor on the configured origin only; a job that is still scraping is polled every
/// <see cref="FirecrawlJobClientOptions.PollInterval"/> when it has nothing new; pages served twice are dropped.
/// </remarks>
public sealed partial class JobPages : IAsyncEnumerable<ScrapedPage>, IJobStatusSource
{
    private readonly ApiConnection _api;
    private readonly JobEndpoint _endpoint;
    private readonly JobStreamOptions _options;
    private readonly CancellationToken _cancellationToken;
    private JobStatus? _status;
    private long _bytesReceived;
    private long _requests;
    private long _duplicates;
    private long _delivered;
    private long _deliveredBefore;

    internal JobPages(ApiConnection api, JobEndpoint endpoint, string jobId, JobStreamOptions options, CancellationToken cancellationToken)
    {
        _api = api;
        _endpoint = endpoint;
        JobId = jobId;
        _options = options;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Gets the kind of job.</summary>
    public JobKind Kind => _endpoint.Kind;

    /// <summary>Gets the job id.</summary>
    public string JobId { get; }

    /// <summary>Gets the job's status as of the latest response, or <see langword="null"/> before the first one.</summary>
    public JobStatus? Status => Volatile.Read(ref _status);

    /// <summary>Gets the response body bytes received so far.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Gets the number of chunk requests that succeeded so far.</summary>
    public long ChunksReceived => Interlocked.Read(ref _requests);

    /// <summary>Gets the number of pages dropped because the server had served them already.</summary>
    public long DuplicatesDropped => Interlocked.Read(ref _duplicates);

    /// <summary>Gets what this stream has delivered and dropped so far, against the job's latest counts.</summary>
    public JobCoverage Coverage => new()
    {
        Kind = Kind,
        JobId = JobId,
        Status = Status,
        DeliveredBefore = Interlocked.Read(ref _deliveredBefore),
        Delivered = Interlocked.Read(ref _delivered),
        DuplicatesDropped = DuplicatesDropped,
        BytesReceived = BytesReceived,
        ChunksReceived = ChunksReceived,
    };

    /// <summary>Raised (on the enumerating thread) whenever <see cref="Status"/> changes.</summary>
    public event EventHandler<JobStatus>? StatusChanged;

    /// <inheritdoc/>
    public IAsyncEnumerator<ScrapedPage> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    private async IAsyncEnumerable<ScrapedPage> EnumerateAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken, cancellationToken);
        CancellationToken token = linked.Token;
        FirecrawlJobClientOptions options = _api.Options;
        TimeProvider time = options.TimeProvider;
        var resume = ResumePoint.From(_options.ResumeAfter, Kind, JobId);
        long skip = resume.Skip;
        Interlocked.Exchange(ref _deliveredBefore, resume.DeliveredBefore);
        var seen = _options.DropDuplicates ? new ScrapeIdSet() : null;
        var pages = new List<ScrapedPage>();
        var progress = new StallWatch(time, options.JobStallTimeout);

        ChunkSession? prefetched = null;
        try
        {
            while (true)
            {
                ChunkSession chunk = prefetched?.Skip == skip ? prefetched : new ChunkSession(_api, _endpoint, JobId, skip, _options);
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
                            Interlocked.Increment(ref _delivered);
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
                ChunkEnvelope envelope = chunk.Envelope;
                JobStatus status = CompleteStatus(envelope, chunk.Uri);
                long? next = envelope.Next is null ? null : _endpoint.ParseNext(envelope.Next, JobId, chunk.Uri);
                if (status.IsTerminal)
                {
                    // Older servers send a next link on a finished job that leads to an empty chunk.
                    if (next is null || chunk.PageCount == 0)
                    {
                        yield break;
                    }

                    if (next <= skip)
                    {
                        throw new FirecrawlApiException(
                            $"The {_endpoint.Noun} {JobId} is {status.Status} but its next link does not advance (skip {next} after skip {skip}).",
                            JobStreamErrorCode.CursorStalled) { RequestUri = chunk.Uri, Status = 200, JobId = JobId };
                    }

                    skip = next.Value;
                    continue;
                }

                // Still scraping: next may point at the same cursor when nothing new has finished yet.
                long target = next ?? skip + chunk.PageCount;
                if (progress.Observe(delivered > 0, status))
                {
                    throw new FirecrawlApiException(
                        $"The {_endpoint.Noun} {JobId} has reported \"{status.Status}\" for {options.JobStallTimeout} without a new page or a change in its counts.",
                        JobStreamErrorCode.CursorStalled) { RequestUri = chunk.Uri, Status = 200, JobId = JobId };
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

        long next = _endpoint.ParseNext(link, JobId, chunk.Uri);
        if (next <= chunk.Skip)
        {
            return null; // nothing new yet: the next request waits for the poll interval
        }

        var session = new ChunkSession(_api, _endpoint, JobId, next, _options);
        session.Prefetch(cancellationToken);
        return session;
    }

    private void PublishStatus(in ChunkEnvelope envelope)
    {
        if (envelope.Status is null)
        {
            return;
        }

        JobStatus? previous = _status;
        var current = new JobStatus(
            envelope.Status,
            envelope.Total ?? previous?.Total ?? 0,
            envelope.Completed ?? previous?.Completed ?? 0,
            envelope.CreditsUsed ?? previous?.CreditsUsed ?? 0,
            envelope.ExpiresAt ?? previous?.ExpiresAt)
        {
            Warning = envelope.Warning,
            CreatedAt = envelope.CreatedAt ?? previous?.CreatedAt,
            CompletedAt = envelope.CompletedAt ?? previous?.CompletedAt,
            Duration = envelope.Duration ?? previous?.Duration,
        };
        if (current != previous)
        {
            Volatile.Write(ref _status, current);
            StatusChanged?.Invoke(this, current);
        }
    }

    private JobStatus CompleteStatus(in ChunkEnvelope envelope, Uri uri)
    {
        if (envelope.Success == false)
        {
            string? error = _api.Redact(envelope.Error);
            throw new FirecrawlApiException(
                $"Firecrawl reported a failure for {_endpoint.Noun} {JobId}: {error ?? "no reason given"}.",
                JobStreamErrorCode.RequestFailed) { Status = 200, ServerError = error, RequestUri = uri, JobId = JobId };
        }

        if (envelope.Status is null)
        {
            throw new FirecrawlApiException($"The response to {uri} has no \"status\".", JobStreamErrorCode.MalformedResponse) { RequestUri = uri, Status = 200, JobId = JobId };
        }

        PublishStatus(envelope);
        return _status!;
    }
}
