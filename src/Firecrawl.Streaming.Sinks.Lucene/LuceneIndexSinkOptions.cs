namespace Firecrawl.Streaming.Sinks.Lucene;

/// <summary>Options for <see cref="LuceneIndexSink"/>. Every property has a documented default.</summary>
public sealed class LuceneIndexSinkOptions
{
    /// <summary>Gets or sets the memory the index writer buffers before it writes a segment, in MB. Default: 64.</summary>
    public double RamBufferSizeMB { get; set; } = 64;

    /// <summary>
    /// Gets or sets a value indicating whether the markdown is stored in the index (needed for search snippets;
    /// it is always indexed). Default: true.
    /// </summary>
    public bool StoreMarkdown { get; set; } = true;

    /// <summary>Gets or sets the longest markdown indexed per page, in characters; the rest is ignored. Default: 1,000,000.</summary>
    public int MaxMarkdownChars { get; set; } = 1_000_000;

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        if (RamBufferSizeMB is < 1 or > 2048)
        {
            throw new ArgumentException($"{nameof(RamBufferSizeMB)} must be between 1 and 2048.", nameof(RamBufferSizeMB));
        }

        if (MaxMarkdownChars < 1)
        {
            throw new ArgumentException($"{nameof(MaxMarkdownChars)} must be positive.", nameof(MaxMarkdownChars));
        }
    }
}
