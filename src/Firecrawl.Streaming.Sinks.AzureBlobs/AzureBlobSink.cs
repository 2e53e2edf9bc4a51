using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Firecrawl.Streaming.Sinks;

namespace Firecrawl.Streaming.Sinks.AzureBlobs;

/// <summary>
/// Writes pages to Azure Blob Storage: one blob per page (content type <c>application/json</c>, the page's
/// JSON byte for byte, metadata url/title/scrapeId/statusCode/position), or batched JSON Lines blobs.
/// </summary>
/// <remarks>
/// <para><b>Exactly once.</b> Blob names are deterministic (see <see cref="BlobNames"/>): a page replayed after a
/// crash overwrites its own blob. In <see cref="AzureBlobLayout.JsonLinesBatches"/> a blob holds a fixed range of job
/// positions; the first time a run touches a blob it reads what an earlier run stored there, and pages already in it
/// (by <see cref="ScrapedPage.Key"/>) are not added again.</para>
/// <para><b>Durability.</b> One blob per page: a write returns when its uploads have completed. Batches: the blobs
/// changed since the last flush are uploaded by <see cref="FlushAsync"/>.</para>
/// </remarks>
public sealed partial class AzureBlobSink : IPageSink
{
    private readonly BlobContainerClient _container;
    private readonly AzureBlobSinkOptions _options;
    private readonly SemaphoreSlim _containerReady = new(1, 1);
    private bool _containerChecked;
    private int _disposed;

    /// <summary>Creates a sink that writes to <paramref name="container"/>.</summary>
    /// <param name="container">The container (created when missing, unless the options say otherwise).</param>
    /// <param name="options">The options; null for the defaults.</param>
    public AzureBlobSink(BlobContainerClient container, AzureBlobSinkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        _options = options ?? new AzureBlobSinkOptions();
        _options.Validate();
        _container = container;
        Name = $"blob:{container.Name}{(_options.Prefix.Length > 0 ? "/" + _options.Prefix.TrimEnd('/') : "")}";
    }

    /// <summary>Creates a sink from a storage connection string.</summary>
    /// <param name="connectionString">The storage account's connection string.</param>
    /// <param name="containerName">The container.</param>
    /// <param name="options">The options; null for the defaults.</param>
    public AzureBlobSink(string connectionString, string containerName, AzureBlobSinkOptions? options = null)
        : this(new BlobContainerClient(connectionString, containerName), options)
    {
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public async ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pages);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        if (_options.Layout == AzureBlobLayout.JsonLinesBatches)
        {
            await AddToBatchesAsync(pages, cancellationToken).ConfigureAwait(false);
            return;
        }

        await Parallel.ForEachAsync(
            pages,
            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = cancellationToken },
            async (page, ct) =>
            {
                BlobClient blob = _container.GetBlobClient(BlobNames.ForPage(page, _options.Prefix));
                var upload = new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json; charset=utf-8" },
                    Metadata = Metadata(page),
                };
                await blob.UploadAsync(BinaryData.FromBytes(page.Utf8Json), upload, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return _options.Layout == AzureBlobLayout.JsonLinesBatches ? UploadDirtyBatchesAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    /// <summary>Releases the sink; batches not flushed are not uploaded (the pipeline flushes before it disposes).</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _containerReady.Dispose();
            _batchGate.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private async ValueTask EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_containerChecked || !_options.CreateContainer)
        {
            return;
        }

        await _containerReady.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_containerChecked)
            {
                await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                _containerChecked = true;
            }
        }
        finally
        {
            _containerReady.Release();
        }
    }

    /// <summary>Blob metadata must be ASCII: URL and title are percent-encoded.</summary>
    private static Dictionary<string, string> Metadata(ScrapedPage page)
    {
        var metadata = new Dictionary<string, string>
        {
            ["key"] = Uri.EscapeDataString(page.Key),
            ["position"] = page.Position.ToString(CultureInfo.InvariantCulture),
            ["jobid"] = Uri.EscapeDataString(page.JobId),
        };
        if (page.Url is string url)
        {
            metadata["url"] = Truncate(Uri.EscapeDataString(url));
        }

        if (page.Metadata.Title.ToString() is { Length: > 0 } title)
        {
            metadata["title"] = Truncate(Uri.EscapeDataString(title));
        }

        if (page.Metadata.StatusCode is int status)
        {
            metadata["statuscode"] = status.ToString(CultureInfo.InvariantCulture);
        }

        return metadata;
    }

    // All metadata of a blob shares an 8 KB limit.
    private static string Truncate(string value) => value.Length <= 1500 ? value : value[..1500];

    private static bool IsNotFound(RequestFailedException e) => e.Status == 404;
}
