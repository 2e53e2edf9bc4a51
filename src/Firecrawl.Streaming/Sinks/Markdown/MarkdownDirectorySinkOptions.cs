using Firecrawl.Streaming.Pipeline;

namespace Firecrawl.Streaming.Sinks;

/// <summary>Options for <see cref="MarkdownDirectorySink"/>. Every property has a documented default.</summary>
public sealed class MarkdownDirectorySinkOptions
{
    /// <summary>
    /// Gets or sets the longest readable part of a file name (the slug of the URL), before the hash that makes the
    /// name unique. Names stay under 255 bytes on every file system for any value allowed. Default: 80.
    /// </summary>
    public int SlugMaxLength { get; set; } = 80;

    /// <summary>Gets or sets whether each file starts with a YAML front-matter block of the page's metadata. Default: true.</summary>
    public bool FrontMatter { get; set; } = true;

    /// <summary>Gets or sets how many files are flushed to disk at once by <see cref="MarkdownDirectorySink.FlushAsync"/>. Default: 4.</summary>
    public int FlushParallelism { get; set; } = 4;

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        OptionRules.Require(SlugMaxLength is >= 1 and <= 200, nameof(SlugMaxLength), "must be between 1 and 200");
        OptionRules.Require(FlushParallelism >= 1, nameof(FlushParallelism), "must be at least 1");
    }
}
