using System.Collections.Concurrent;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Firecrawl.Streaming.Sinks.AzureBlobs;

/// <summary>
/// <see cref="AzureBlobSinkMode.BlobPerPage"/>: each page is uploaded as its own blob, overwriting whatever the same
/// name held, which is what makes a replayed page land on its earlier copy instead of beside it.
/// </summary>
internal sealed class PageBlobLayout : IBlobLayout
{
    private const string JsonContentType = "application/json";
    private const string MarkdownContentType = "text/markdown; charset=utf-8";

    private readonly BlobContainerClient _container;
    private readonly AzureBlobSinkOptions _options;
    private readonly UploadTracker _uploads;

    // Uploads that failed since the last flush; the next flush starts them again, so a flush the pipeline retries
    // after a failure uploads what the failed one could not.
    private readonly ConcurrentQueue<PageUpload> _failed = new();

    public PageBlobLayout(BlobContainerClient container, AzureBlobSinkOptions options, UploadTracker uploads)
    {
        _container = container;
        _options = options;
        _uploads = uploads;
    }

    public async ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken)
    {
        foreach (ScrapedPage page in pages)
        {
            // Copied now: the page's buffer may go back to a pool once the write returns, long before the upload ends.
            Dictionary<string, string> metadata = AzureBlobMetadata.For(page);
            var json = new PageUpload(
                AzureBlobNames.ForPage(page, _options.Prefix), BinaryData.FromBytes(page.Utf8Json.ToArray()), JsonContentType, metadata);
            await StartAsync(json, cancellationToken).ConfigureAwait(false);

            if (_options.UploadMarkdown && page.Markdown is { } markdown)
            {
                var text = new PageUpload(
                    AzureBlobNames.ForMarkdown(page, _options.Prefix), BinaryData.FromString(markdown), MarkdownContentType, metadata);
                await StartAsync(text, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        int retries = _failed.Count;
        for (int i = 0; i < retries && _failed.TryDequeue(out PageUpload? upload); i++)
        {
            await StartAsync(upload, cancellationToken).ConfigureAwait(false);
        }

        await _uploads.WaitAllAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask StartAsync(PageUpload upload, CancellationToken cancellationToken)
    {
        try
        {
            await _uploads.StartAsync(token => UploadAsync(upload, token), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Never started (cancelled while waiting for a slot): keep it for the next flush rather than lose it.
            _failed.Enqueue(upload);
            throw;
        }
    }

    private async Task UploadAsync(PageUpload upload, CancellationToken cancellationToken)
    {
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = upload.ContentType },
            Metadata = upload.Metadata,
        };

        try
        {
            // No conditions: an upload replaces the blob whole, atomically, so a replay overwrites rather than duplicates.
            await _container.GetBlobClient(upload.Name).UploadAsync(upload.Content, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _failed.Enqueue(upload);
            throw;
        }
    }

    private sealed record PageUpload(string Name, BinaryData Content, string ContentType, Dictionary<string, string> Metadata);
}
