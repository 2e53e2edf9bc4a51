namespace Firecrawl.Streaming.Sinks.AzureBlobs;

/// <summary>How one <see cref="AzureBlobSinkMode"/> turns pages into uploads.</summary>
internal interface IBlobLayout
{
    /// <summary>Starts the uploads the pages call for; may return before they complete.</summary>
    ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken);

    /// <summary>Uploads whatever is still pending and waits until every upload so far has completed.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);
}
