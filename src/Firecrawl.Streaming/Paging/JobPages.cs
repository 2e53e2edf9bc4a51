namespace Firecrawl.Streaming;

/// <summary>
/// The pages of one batch-scrape or crawl job, in order, as an <see cref="IAsyncEnumerable{T}"/>. Each enumeration
/// sends its own requests, starting from the first page or from <see cref="JobStreamOptions.ResumeAfter"/>.
/// </summary>
/// <remarks>
/// <para>
/// Pages are yielded as soon as their bytes have arrived. Chunks are followed through their <c>next</c>
/// cursor on the configured origin only; a job that is still scraping is polled every
/// <see cref="FirecrawlJobClientOptions.PollInterval"/> when it has nothing new; pages served twice are dropped.
/// </para>
/// <para>
/// The server lists pages by offset, and a page that commits late lands before pages already listed: the offsets
/// behind it move, the stream sees the page at its cursor again, and would never see the late one. The stream notices
/// (a page it delivered comes back, or a finished job counts more pages than it delivered), looks back with a few
/// one-page requests (see <see cref="FirecrawlJobClientOptions.MaxGapRepairs"/>) and delivers what it missed after the
/// pages already yielded, each once; <see cref="ScrapedPage.Position"/> says where such a page belongs and
/// <see cref="JobCoverage.Repaired"/> counts them. After a resume, only the pages after the resume point are checked:
/// the earlier run checked the rest.
/// </para>
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
    private long _repaired;
    private long _utf8Repaired;
    private long _repairRequests;

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

    /// <summary>Gets the ranges of the latest enumeration (for tests: how many chunks were fetched ahead, and 429s).</summary>
    internal RangeScheduler? Ranges { get; private set; }

    /// <summary>Gets the number of requests spent looking back for pages the server's moving offsets hid (gap repair).</summary>
    internal long RepairRequests => Interlocked.Read(ref _repairRequests);

    /// <summary>Gets what this stream has delivered and dropped so far, against the job's latest counts.</summary>
    public JobCoverage Coverage => new()
    {
        Kind = Kind,
        JobId = JobId,
        Status = Status,
        DeliveredBefore = Interlocked.Read(ref _deliveredBefore),
        Delivered = Interlocked.Read(ref _delivered),
        DuplicatesDropped = DuplicatesDropped,
        Repaired = Interlocked.Read(ref _repaired),
        Utf8Repaired = Interlocked.Read(ref _utf8Repaired),
        BytesReceived = BytesReceived,
        ChunksReceived = ChunksReceived,
    };

    /// <summary>Raised (on the enumerating thread) whenever <see cref="Status"/> changes.</summary>
    public event EventHandler<JobStatus>? StatusChanged;

    /// <inheritdoc/>
    public IAsyncEnumerator<ScrapedPage> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    private void PublishStatus(in ChunkEnvelope envelope)
    {
        if (envelope.Status is null)
        {
            return;
        }

        JobStatus? previous = _status;

        // A job's completed count never goes down, but chunks read ahead in parallel are answered in any order: a
        // response the server built before a page committed late can be read after one built later. Its lower count
        // must not hide that page from the end-of-job check.
        long completed = Math.Max(envelope.Completed ?? 0, previous?.Completed ?? 0);
        var current = new JobStatus(
            envelope.Status,
            envelope.Total ?? previous?.Total ?? 0,
            completed,
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
