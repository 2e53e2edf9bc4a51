using System.IO.Compression;
using Firecrawl.Streaming.Pipeline;

namespace Firecrawl.Streaming.Sinks;

/// <summary>Options for <see cref="JsonLinesSink"/>. Every property has a documented default.</summary>
public sealed class JsonLinesSinkOptions
{
    /// <summary>
    /// Gets or sets whether the output is gzip-compressed; null decides by the file name (<c>.gz</c>), and means
    /// no compression for a stream. Default: null.
    /// </summary>
    public bool? Gzip { get; set; }

    /// <summary>Gets or sets the gzip compression level. Default: <see cref="System.IO.Compression.CompressionLevel.Optimal"/>.</summary>
    public CompressionLevel CompressionLevel { get; set; } = CompressionLevel.Optimal;

    /// <summary>
    /// Gets or sets whether an existing file is replaced. When false the sink appends: it reads the keys of the
    /// pages the file holds and skips pages it already has, so a resumed run writes no line twice. Default: false.
    /// </summary>
    public bool Overwrite { get; set; }

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate() =>
        OptionRules.Require(Enum.IsDefined(CompressionLevel), nameof(CompressionLevel), "is not a defined compression level");
}
