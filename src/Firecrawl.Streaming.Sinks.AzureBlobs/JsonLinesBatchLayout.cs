using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Firecrawl.Streaming.Sinks.AzureBlobs;

/// <summary>
/// <see cref="AzureBlobSinkMode.JsonLinesBatches"/>: pages gathered into one JSON Lines blob per range of
/// <see cref="AzureBlobSinkOptions.PagesPerBlob"/> job positions, uploaded whole when the range is complete and at
/// every flush while it is not.
/// </summary>
/// <remarks>
/// <para>Why ranges of positions rather than the batches the pipeline hands over: batches differ from run to run (a
/// resumed run starts at its checkpoint, with other batch sizes), so blobs named after batches would overlap and hold
/// replayed pages twice. A page's position never changes, so it always belongs to the same blob.</para>
/// <para>Why a blob is merged before it is first written: after a restart (or once a window was evicted from memory)
/// the blob may already hold pages this sink has not seen — those before the checkpoint. The first upload of a window
/// therefore only succeeds if the blob does not exist (<c>If-None-Match: *</c>); if it does, the sink downloads it,
/// keeps the stored lines whose keys it lacks, and uploads the union on the condition that the blob is unchanged
/// (<c>If-Match</c>). Each page is thus in exactly one blob, once, however runs were cut and resumed.</para>
/// <para>Why stored blobs are read before pages are placed: a resumed run may get a page at another position than the
/// run that stored it (the server's offsets shifted), which would put it in another range's blob beside its stored
/// copy. So the blobs of a page's range and of both neighbours, when earlier runs left them, are read first and the
/// page goes to the blob that holds it (see <see cref="JobRanges"/>, which also says how pages without a scrape id are
/// told apart).</para>
/// </remarks>
internal sealed class JsonLinesBatchLayout : IBlobLayout
{
    private const string ContentType = "application/x-ndjson";
    private const int MaxConflicts = 8;

    private readonly BlobContainerClient _container;
    private readonly AzureBlobSinkOptions _options;
    private readonly UploadTracker _uploads;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string JobId, long First), BatchWindow> _windows = [];
    private readonly Dictionary<string, JobRanges> _jobs = new(StringComparer.Ordinal);

    public JsonLinesBatchLayout(BlobContainerClient container, AzureBlobSinkOptions options, UploadTracker uploads)
    {
        _container = container;
        _options = options;
        _uploads = uploads;
    }

    public async ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken)
    {
        var jobs = new Dictionary<string, JobRanges>(StringComparer.Ordinal);
        foreach (string jobId in pages.Select(p => p.JobId).Distinct(StringComparer.Ordinal))
        {
            jobs[jobId] = await ListJobAsync(jobId, cancellationToken).ConfigureAwait(false);
        }

        // What earlier runs stored around these positions is read before any page is placed, so a replayed page is
        // recognised in whichever of those blobs holds it.
        await ReadStoredRangesAsync(pages, jobs, cancellationToken).ConfigureAwait(false);

        var complete = new List<BatchWindow>();
        lock (_lock)
        {
            int size = _options.PagesPerBlob;
            foreach (ScrapedPage page in pages)
            {
                JobRanges job = jobs[page.JobId];
                byte[] line = BatchWindow.ToLine(page.Utf8Json.Span);
                if (job.Place(page, line.AsSpan(0, line.Length - 1)) is not long first)
                {
                    continue;
                }

                if (!_windows.TryGetValue((page.JobId, first), out BatchWindow? window))
                {
                    window = new BatchWindow(AzureBlobNames.ForBatch(page.JobId, first, size, _options.Prefix), page.JobId, first);
                    _windows.Add((page.JobId, first), window);
                }

                window.Put(page, line);
                if (window.Count >= size && !complete.Contains(window))
                {
                    complete.Add(window);
                }
            }

            foreach (IGrouping<string, ScrapedPage> job in pages.GroupBy(p => p.JobId, StringComparer.Ordinal))
            {
                jobs[job.Key].ForgetBefore(job.Min(p => p.Position));
            }
        }

        // A complete range goes up now, so memory holds only ranges still filling.
        foreach (BatchWindow window in complete)
        {
            await _uploads.StartAsync(token => UploadAsync(window, token), cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        List<BatchWindow> dirty;
        lock (_lock)
        {
            dirty = [.. _windows.Values.Where(w => w.Dirty)];
        }

        foreach (BatchWindow window in dirty)
        {
            await _uploads.StartAsync(token => UploadAsync(window, token), cancellationToken).ConfigureAwait(false);
        }

        await _uploads.WaitAllAsync(cancellationToken).ConfigureAwait(false);

        // Keep only each job's last window, the one still filling; an evicted window that gets pages again (a replayed
        // batch) is merged with its blob before it is written, so evicting costs a download at worst, never a page.
        lock (_lock)
        {
            foreach (IGrouping<string, BatchWindow> job in _windows.Values.GroupBy(w => w.JobId).ToList())
            {
                long last = job.Max(w => w.First);
                foreach (BatchWindow window in job.Where(w => w.First != last && !w.Dirty))
                {
                    _windows.Remove((window.JobId, window.First));
                }
            }
        }
    }

    private async Task UploadAsync(BatchWindow window, CancellationToken cancellationToken)
    {
        await window.UploadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            BlobClient blob = _container.GetBlobClient(window.BlobName);
            for (int conflicts = 0; ; conflicts++)
            {
                (BinaryData content, long version) = Snapshot(window, out bool dirty);
                if (!dirty)
                {
                    return; // An upload that queued behind this one's predecessor found nothing new.
                }

                try
                {
                    var options = new BlobUploadOptions
                    {
                        HttpHeaders = new BlobHttpHeaders { ContentType = ContentType },
                        Conditions = window.ETag is ETag etag ? new BlobRequestConditions { IfMatch = etag } : new BlobRequestConditions { IfNoneMatch = ETag.All },
                    };
                    Azure.Response<BlobContentInfo> uploaded = await blob.UploadAsync(content, options, cancellationToken).ConfigureAwait(false);
                    Uploaded(window, uploaded.Value.ETag, version);
                    return;
                }
                catch (RequestFailedException e) when (e.Status is 409 or 412 && conflicts < MaxConflicts)
                {
                    // The blob exists but this window has not seen it (409), or it changed since (412): merge it in.
                    await MergeStoredAsync(blob, window, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            window.UploadGate.Release();
        }
    }

    private async Task MergeStoredAsync(BlobClient blob, BatchWindow window, CancellationToken cancellationToken)
    {
        try
        {
            BlobDownloadResult stored = (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
            lock (_lock)
            {
                window.MergeStored(stored.Content.ToMemory());
                window.ETag = stored.Details.ETag;
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Deleted between the conflict and the download: create it afresh.
            lock (_lock)
            {
                window.ETag = null;
            }
        }
    }

    private (BinaryData Content, long Version) Snapshot(BatchWindow window, out bool dirty)
    {
        lock (_lock)
        {
            dirty = window.Dirty;
            return dirty ? window.Snapshot() : (BinaryData.Empty, window.Version);
        }
    }

    private void Uploaded(BatchWindow window, ETag etag, long version)
    {
        lock (_lock)
        {
            window.ETag = etag;
            window.MarkUploaded(version);

            // A complete, clean range is done with: free its pages. If a replay brings them back, the blob is merged.
            if (!window.Dirty && window.Count >= _options.PagesPerBlob
                && _windows.TryGetValue((window.JobId, window.First), out BatchWindow? current) && current == window)
            {
                _windows.Remove((window.JobId, window.First));
            }
        }
    }

    /// <summary>
    /// Lists the job's folder once: the ranges its blobs cover, which are read back around the positions written. Refuses
    /// to add to a folder laid out with another <see cref="AzureBlobSinkOptions.PagesPerBlob"/>: its ranges would overlap
    /// this sink's, and the pages in both would appear twice.
    /// </summary>
    private async ValueTask<JobRanges> ListJobAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_jobs.TryGetValue(jobId, out JobRanges? known))
            {
                return known;
            }
        }

        string folder = AzureBlobNames.JobFolder(jobId, _options.Prefix);
        var stored = new HashSet<long>();
        await foreach (BlobItem item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = folder }, cancellationToken).ConfigureAwait(false))
        {
            if (!AzureBlobNames.TryParseBatch(item.Name, out long first, out long last))
            {
                continue;
            }

            if (last - first + 1 != _options.PagesPerBlob)
            {
                throw new InvalidOperationException(
                    $"The blobs under '{folder}' hold {last - first + 1} pages each, but {nameof(AzureBlobSinkOptions.PagesPerBlob)} is {_options.PagesPerBlob}: " +
                    "resume the job with the value it was started with, or write it under another prefix.");
            }

            stored.Add(first);
        }

        lock (_lock)
        {
            // Two writes may list at once; the first to finish wins, and both saw the same folder.
            return _jobs.TryGetValue(jobId, out JobRanges? known) ? known : _jobs[jobId] = new JobRanges(jobId, _options.PagesPerBlob, stored);
        }
    }

    /// <summary>Reads (once, shared by concurrent writes) every stored range next to the pages' positions.</summary>
    private async ValueTask ReadStoredRangesAsync(IReadOnlyList<ScrapedPage> pages, Dictionary<string, JobRanges> jobs, CancellationToken cancellationToken)
    {
        var reads = new List<Task>();
        var start = new List<(JobRanges Job, long First, TaskCompletionSource Done)>();
        lock (_lock)
        {
            foreach (ScrapedPage page in pages)
            {
                JobRanges job = jobs[page.JobId];
                foreach (long first in job.RangesToRead(page.Position))
                {
                    if (!job.Reads.TryGetValue(first, out Task? read))
                    {
                        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        job.Reads[first] = read = done.Task;
                        start.Add((job, first, done));
                    }

                    reads.Add(read);
                }
            }
        }

        // Started outside the lock: a download's synchronous part must not run under it.
        foreach ((JobRanges job, long first, TaskCompletionSource done) in start)
        {
            _ = ReadRangeAsync(job, first, done, cancellationToken);
        }

        await Task.WhenAll(reads).ConfigureAwait(false);
    }

    private async Task ReadRangeAsync(JobRanges job, long first, TaskCompletionSource done, CancellationToken cancellationToken)
    {
        try
        {
            BlobClient blob = _container.GetBlobClient(AzureBlobNames.ForBatch(job.JobId, first, _options.PagesPerBlob, _options.Prefix));
            ReadOnlyMemory<byte> content;
            try
            {
                content = (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToMemory();
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                content = default; // deleted since the listing
            }

            StoredRange range = StoredRange.Read(content);
            lock (_lock)
            {
                job.AddRead(first, range);
            }

            done.SetResult();
        }
        catch (Exception e)
        {
            // Forgotten, so that the next write reads it again rather than fail on this error forever.
            lock (_lock)
            {
                job.Reads.Remove(first);
            }

            done.SetException(e);
        }
    }
}
