namespace Firecrawl.Streaming.Sinks.AzureBlobs;

/// <summary>How <see cref="AzureBlobSink"/> lays pages out in the container.</summary>
public enum AzureBlobSinkMode
{
    /// <summary>
    /// One JSON blob per page, named from its URL and key (see <see cref="AzureBlobNames.ForPage"/>), with the page's
    /// URL, title, scrape id and status in the blob metadata. The default.
    /// </summary>
    BlobPerPage,

    /// <summary>
    /// JSON Lines blobs of <see cref="AzureBlobSinkOptions.PagesPerBlob"/> pages each, by position in the job (see
    /// <see cref="AzureBlobNames.ForBatch"/>). Far fewer blobs, for bulk loading into analytics tools.
    /// </summary>
    JsonLinesBatches,
}

/// <summary>Options for <see cref="AzureBlobSink"/>. Every property has a documented default.</summary>
public sealed class AzureBlobSinkOptions
{
    /// <summary>The longest <see cref="Prefix"/>, which leaves room under the 1024-character blob name limit.</summary>
    public const int MaxPrefixLength = 480;

    /// <summary>Gets or sets how pages are laid out. Default: <see cref="AzureBlobSinkMode.BlobPerPage"/>.</summary>
    public AzureBlobSinkMode Mode { get; set; } = AzureBlobSinkMode.BlobPerPage;

    /// <summary>
    /// Gets or sets the text every blob name starts with, e.g. <c>"crawls/2025-06/"</c> for a virtual folder. At most
    /// <see cref="MaxPrefixLength"/> characters, no control characters or backslashes, no empty, <c>.</c> or <c>..</c>
    /// segments, and no leading <c>/</c>. Default: empty.
    /// </summary>
    public string Prefix { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets whether, in <see cref="AzureBlobSinkMode.BlobPerPage"/> mode, a page's Markdown is also uploaded
    /// as a <c>text/markdown</c> blob next to its JSON blob (same name, <c>.md</c> instead of <c>.json</c>).
    /// Default: false.
    /// </summary>
    public bool UploadMarkdown { get; set; }

    /// <summary>
    /// Gets or sets, in <see cref="AzureBlobSinkMode.JsonLinesBatches"/> mode, how many consecutive job positions one
    /// blob covers. The sink holds the pages of a blob not yet complete in memory, so this times the page size bounds
    /// the memory of each open blob. Keep it fixed for a job: resuming with another value would put pages in two
    /// blobs, so the sink refuses to write to a job folder laid out with a different value. Default: 500.
    /// </summary>
    public int PagesPerBlob { get; set; } = 500;

    /// <summary>
    /// Gets or sets how many uploads run at once. A write waits for a free slot, which holds the pipeline back when
    /// storage is slower than the crawl. Default: 8.
    /// </summary>
    public int MaxConcurrentUploads { get; set; } = 8;

    /// <summary>Gets or sets whether the container is created on first use when it does not exist. Default: true.</summary>
    public bool CreateContainer { get; set; } = true;

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        Require(Enum.IsDefined(Mode), nameof(Mode), "is not a defined mode");
        Require(Prefix is not null, nameof(Prefix), "must not be null");
        Require(PagesPerBlob is >= 1 and <= 50_000, nameof(PagesPerBlob), "must be between 1 and 50000");
        Require(MaxConcurrentUploads is >= 1 and <= 256, nameof(MaxConcurrentUploads), "must be between 1 and 256");
        if (AzureBlobNames.CheckPrefix(Prefix!) is string problem)
        {
            Require(false, nameof(Prefix), problem);
        }
    }

    private static void Require(bool condition, string name, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"{name} {rule}.", name);
        }
    }
}
