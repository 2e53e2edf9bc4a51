namespace Firecrawl.Streaming.Sinks.AzureBlobs;

/// <summary>How <see cref="AzureBlobSink"/> lays pages out in the container.</summary>
public enum AzureBlobLayout
{
    /// <summary>One blob per page: <c>{prefix}{slug}-{hash}.json</c>, the page's JSON byte for byte.</summary>
    BlobPerPage = 0,

    /// <summary>
    /// JSON Lines blobs of <see cref="AzureBlobSinkOptions.PagesPerBlob"/> consecutive job positions each:
    /// <c>{prefix}{jobId}/pages-{n:D8}.jsonl</c>.
    /// </summary>
    JsonLinesBatches = 1,
}

/// <summary>Options for <see cref="AzureBlobSink"/>. Every property has a documented default.</summary>
public sealed class AzureBlobSinkOptions
{
    /// <summary>Gets or sets a prefix for every blob name, e.g. <c>"crawls/2026-11/"</c>. Default: none.</summary>
    public string Prefix { get; set; } = string.Empty;

    /// <summary>Gets or sets the layout. Default: <see cref="AzureBlobLayout.BlobPerPage"/>.</summary>
    public AzureBlobLayout Layout { get; set; } = AzureBlobLayout.BlobPerPage;

    /// <summary>Gets or sets the job positions per blob in <see cref="AzureBlobLayout.JsonLinesBatches"/>. Default: 1000.</summary>
    public int PagesPerBlob { get; set; } = 1000;

    /// <summary>Gets or sets how many uploads run at once. Default: 8.</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Gets or sets a value indicating whether the container is created when missing. Default: true.</summary>
    public bool CreateContainer { get; set; } = true;

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        if (Prefix is null || Prefix.Length > 512 || Prefix.Contains("..", StringComparison.Ordinal) || Prefix.StartsWith('/'))
        {
            throw new ArgumentException($"{nameof(Prefix)} must be a relative name of at most 512 characters without \"..\".", nameof(Prefix));
        }

        if (PagesPerBlob is < 1 or > 100_000)
        {
            throw new ArgumentException($"{nameof(PagesPerBlob)} must be between 1 and 100000.", nameof(PagesPerBlob));
        }

        if (MaxConcurrency is < 1 or > 256)
        {
            throw new ArgumentException($"{nameof(MaxConcurrency)} must be between 1 and 256.", nameof(MaxConcurrency));
        }
    }
}
