using Firecrawl.Streaming.Pipeline;
using Azure.Storage.Blobs;

namespace Firecrawl.Streaming.Sinks.AzureBlobs;

/// <summary>
/// Uploads pages to an Azure Blob Storage container: one JSON blob per page (the default), or JSON Lines blobs of
/// many pages (<see cref="AzureBlobSinkOptions.Mode"/>).
/// </summary>
/// <remarks>
/// <para><b>Content.</b> A page's JSON is uploaded exactly as the server sent it (<see cref="ScrapedPage.Utf8Json"/>),
/// as <c>application/json</c>; with <see cref="AzureBlobSinkOptions.UploadMarkdown"/> its Markdown goes next to it as
/// <c>text/markdown</c>. Page blobs carry <see cref="AzureBlobMetadata"/>. Batch blobs are <c>application/x-ndjson</c>,
/// one page per line, ordered by position.</para>
/// <para><b>Exactly once.</b> Names are deterministic (<see cref="AzureBlobNames"/>). A page blob is named after the
/// page's job and key, so a page written again overwrites its blob. A batch blob covers a fixed range of job
/// positions and is merged with what it already holds before it is first overwritten, so replayed pages replace
/// their lines, and a page replayed at a position shifted into a neighbouring range still goes to the blob that holds
/// it; see <see cref="AzureBlobSinkMode.JsonLinesBatches"/>.</para>
/// <para><b>Durability.</b> Uploads run in the background, at most <see cref="AzureBlobSinkOptions.MaxConcurrentUploads"/>
/// at once. <see cref="FlushAsync"/> uploads what is pending (batch blobs still filling) and waits for every upload:
/// when it returns, everything written is stored in Azure. When an upload fails, the flush throws and the next flush
/// uploads it again. Disposing the sink cancels uploads still running; flush first to keep them.</para>
/// <para><b>Retries.</b> The Azure SDK retries failed requests by the client's <c>BlobClientOptions.Retry</c>
/// settings (the SDK defaults unless the client was built with others).</para>
/// <para><b>Concurrency.</b> Writes may be issued in parallel; flushes must not overlap writes (the pipeline never
/// overlaps them).</para>
/// </remarks>
public sealed class AzureBlobSink : IPageSink
{
    private readonly BlobContainerClient _container;
    private readonly AzureBlobSinkOptions _options;
    private readonly UploadTracker _uploads;
    private readonly IBlobLayout _layout;
    private readonly SemaphoreSlim _containerGate = new(1, 1);
    private bool _containerReady;
    private int _disposed;

    /// <summary>Creates a sink that uploads to a container.</summary>
    /// <param name="container">The container; its client's options (retries, timeouts) apply to every upload.</param>
    /// <param name="options">The options; null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public AzureBlobSink(BlobContainerClient container, AzureBlobSinkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        _options = options ?? new AzureBlobSinkOptions();
        _options.Validate();
        _container = container;
        _uploads = new UploadTracker(_options.MaxConcurrentUploads);
        _layout = _options.Mode == AzureBlobSinkMode.JsonLinesBatches
            ? new JsonLinesBatchLayout(container, _options, _uploads)
            : new PageBlobLayout(container, _options, _uploads);
        Name = $"azureblob:{container.AccountName}/{container.Name}/{_options.Prefix}";
    }

    /// <summary>Creates a sink that uploads to a container named in a storage connection string's account.</summary>
    /// <param name="connectionString">The storage account's connection string.</param>
    /// <param name="containerName">The container.</param>
    /// <param name="options">The options; null for the defaults.</param>
    /// <param name="clientOptions">The Azure client options (retries, timeouts, service version); null for the SDK defaults.</param>
    /// <exception cref="ArgumentException">An argument or option is invalid.</exception>
    public AzureBlobSink(string connectionString, string containerName, AzureBlobSinkOptions? options = null, BlobClientOptions? clientOptions = null)
        : this(CreateContainerClient(connectionString, containerName, clientOptions), options)
    {
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets the container the sink uploads to.</summary>
    public BlobContainerClient Container => _container;

    /// <inheritdoc/>
    public async ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pages);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (pages.Count == 0)
        {
            return;
        }

        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        await _layout.WriteAsync(pages, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _layout.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Cancels uploads still running and waits for them to stop. Call <see cref="FlushAsync"/> first to keep them.</summary>
    /// <returns>A task that completes when no upload is running.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _uploads.CancelAllAsync().ConfigureAwait(false);
        _uploads.Dispose();
        _containerGate.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    private static BlobContainerClient CreateContainerClient(string connectionString, string containerName, BlobClientOptions? clientOptions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        return new BlobContainerClient(connectionString, containerName, clientOptions ?? new BlobClientOptions());
    }

    private async ValueTask EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (!_options.CreateContainer || Volatile.Read(ref _containerReady))
        {
            return;
        }

        await _containerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_containerReady)
            {
                await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _containerReady, true);
            }
        }
        finally
        {
            _containerGate.Release();
        }
    }
}
