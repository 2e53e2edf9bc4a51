using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Firecrawl.Streaming.Sinks.AzureBlobs;

/// <summary>The JSON Lines batch layout: fixed position ranges per blob, merged with what an earlier run stored.</summary>
public sealed partial class AzureBlobSink
{
    private readonly SemaphoreSlim _batchGate = new(1, 1);
    private readonly SortedDictionary<string, Batch> _batches = new(StringComparer.Ordinal);

    private async ValueTask AddToBatchesAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken)
    {
        await _batchGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (ScrapedPage page in pages)
            {
                string name = BlobNames.ForBatch(page.JobId, page.Position, _options.PagesPerBlob, _options.Prefix);
                if (!_batches.TryGetValue(name, out Batch? batch))
                {
                    batch = await LoadBatchAsync(name, cancellationToken).ConfigureAwait(false);
                    _batches[name] = batch;
                }

                if (batch.Keys.Add(page.Key))
                {
                    batch.Content.Write(page.Utf8Json.Span);
                    batch.Content.WriteByte((byte)'\n');
                    batch.Dirty = true;
                }
            }
        }
        finally
        {
            _batchGate.Release();
        }
    }

    private async ValueTask UploadDirtyBatchesAsync(CancellationToken cancellationToken)
    {
        await _batchGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            List<KeyValuePair<string, Batch>> dirty = [.. _batches.Where(b => b.Value.Dirty)];
            await Parallel.ForEachAsync(
                dirty,
                new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = cancellationToken },
                async (entry, ct) =>
                {
                    BlobClient blob = _container.GetBlobClient(entry.Key);
                    var upload = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/x-ndjson" } };
                    await blob.UploadAsync(BinaryData.FromBytes(entry.Value.Content.ToArray()), upload, ct).ConfigureAwait(false);
                    entry.Value.Dirty = false;
                }).ConfigureAwait(false);

            // Pages arrive in position order: every uploaded blob below the newest one is finished and can leave memory.
            foreach (string name in _batches.Keys.SkipLast(1).ToList())
            {
                if (!_batches[name].Dirty)
                {
                    _batches.Remove(name);
                }
            }
        }
        finally
        {
            _batchGate.Release();
        }
    }

    private async Task<Batch> LoadBatchAsync(string name, CancellationToken cancellationToken)
    {
        var batch = new Batch();
        try
        {
            Response<BlobDownloadResult> existing = await _container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            byte[] content = existing.Value.Content.ToArray();
            batch.Content.Write(content);
            foreach (string line in Encoding.UTF8.GetString(content).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                batch.Keys.Add(ScrapedPage.Parse(Encoding.UTF8.GetBytes(line)).Key);
            }
        }
        catch (RequestFailedException e) when (IsNotFound(e))
        {
            // A blob no earlier run has written.
        }

        return batch;
    }

    private sealed class Batch
    {
        public MemoryStream Content { get; } = new();

        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);

        public bool Dirty { get; set; }
    }
}
