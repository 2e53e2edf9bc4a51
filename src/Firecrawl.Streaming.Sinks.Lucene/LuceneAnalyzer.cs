using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Util;

namespace Firecrawl.Streaming.Sinks.Lucene;

/// <summary>
/// How text is split into terms when pages are indexed and when queries are parsed. The index records its
/// analyzer, so <see cref="LuceneIndex"/> always searches with the one the index was built with.
/// </summary>
public enum LuceneAnalyzer
{
    /// <summary>
    /// Unicode word boundaries (UAX #29), lowercased, English stop words removed. Works reasonably for most
    /// languages; the default.
    /// </summary>
    Standard,

    /// <summary>Like <see cref="Standard"/>, plus English stemming ("pricing" finds "prices"). Best for English sites.</summary>
    English,

    /// <summary>Splits at every non-letter and lowercases; no stop words. Predictable, e.g. for code-heavy pages.</summary>
    Simple,

    /// <summary>Splits at whitespace only and keeps case and punctuation. Exact, rarely what a search box wants.</summary>
    Whitespace,
}

/// <summary>Builds Lucene analyzers for <see cref="LuceneAnalyzer"/> values.</summary>
internal static class LuceneAnalyzers
{
    /// <summary>The Lucene version whose behaviour the index and its analyzers follow.</summary>
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    public static Analyzer Create(LuceneAnalyzer kind) => kind switch
    {
        LuceneAnalyzer.Standard => new StandardAnalyzer(Version),
        LuceneAnalyzer.English => new EnglishAnalyzer(Version),
        LuceneAnalyzer.Simple => new SimpleAnalyzer(Version),
        LuceneAnalyzer.Whitespace => new WhitespaceAnalyzer(Version),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown analyzer."),
    };

    /// <summary>Reads the analyzer an index records in its commit data; <see cref="LuceneAnalyzer.Standard"/> when it records none.</summary>
    public static LuceneAnalyzer FromCommitData(IDictionary<string, string>? userData, string directory)
    {
        if (userData is null || !userData.TryGetValue(LuceneFields.AnalyzerCommitKey, out string? name))
        {
            return LuceneAnalyzer.Standard;
        }

        return Enum.TryParse(name, ignoreCase: false, out LuceneAnalyzer kind) && Enum.IsDefined(kind)
            ? kind
            : throw new InvalidOperationException($"The index at '{directory}' was built with an unknown analyzer '{name}'.");
    }
}
