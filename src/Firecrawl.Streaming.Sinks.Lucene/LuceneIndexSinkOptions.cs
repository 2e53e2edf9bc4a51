namespace Firecrawl.Streaming.Sinks.Lucene;

/// <summary>Options for <see cref="LuceneIndexSink"/>. Every property has a documented default.</summary>
public sealed class LuceneIndexSinkOptions
{
    /// <summary>
    /// Gets or sets how text is split into terms. An existing index keeps the analyzer it was built with: opening it
    /// with a different one fails rather than mixing terms that searches could not match. Default: <see cref="LuceneAnalyzer.Standard"/>.
    /// </summary>
    public LuceneAnalyzer Analyzer { get; set; } = LuceneAnalyzer.Standard;

    /// <summary>
    /// Gets or sets how much memory, in megabytes, the index writer fills with new documents before it writes a
    /// segment to disk. Larger values mean fewer, bigger segments and faster indexing. Default: 64.
    /// </summary>
    public double RamBufferSizeMB { get; set; } = 64;

    /// <summary>
    /// Gets or sets whether the Markdown is stored in the index as well as indexed. Search snippets come from the
    /// stored Markdown; without it they come from the description. Turning it off makes the index much smaller.
    /// Default: true.
    /// </summary>
    public bool StoreMarkdown { get; set; } = true;

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Analyzer))
        {
            throw new ArgumentException($"{nameof(Analyzer)} is not a defined analyzer.", nameof(Analyzer));
        }

        // Lucene rejects buffers of 2048 MB and more (per-thread buffers address memory with 32-bit offsets).
        if (!(RamBufferSizeMB is >= 1 and < 2048))
        {
            throw new ArgumentException($"{nameof(RamBufferSizeMB)} must be at least 1 and less than 2048.", nameof(RamBufferSizeMB));
        }
    }
}
