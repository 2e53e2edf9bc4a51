using System.Globalization;
using System.Text;
using Lucene.Net.Analysis;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Highlight;

namespace Firecrawl.Streaming.Sinks.Lucene;

/// <summary>
/// Builds the snippet of a hit: the best fragments of the first stored field that holds a matched term (Markdown,
/// then description, then title), re-analyzed with the index's analyzer, matched terms wrapped in the configured
/// tags, whitespace folded so a snippet is one line.
/// </summary>
/// <remarks>One builder serves one search on one thread: Lucene's highlighter and scorers keep per-text state.</remarks>
internal sealed class SnippetBuilder
{
    private static readonly string[] s_sourceFields = [LuceneFields.Markdown, LuceneFields.Description, LuceneFields.Title];

    private readonly Query _query;
    private readonly IndexReader _reader;
    private readonly Analyzer _analyzer;
    private readonly LuceneSearchOptions _options;
    private readonly SimpleHTMLFormatter _formatter;
    private readonly Dictionary<string, Highlighter> _highlighters = new(StringComparer.Ordinal);

    public SnippetBuilder(Query query, IndexReader reader, Analyzer analyzer, LuceneSearchOptions options)
    {
        _query = query;
        _reader = reader;
        _analyzer = analyzer;
        _options = options;

        // Tags go around matched terms verbatim, and the text is not HTML-encoded: snippets are Markdown, not HTML.
        _formatter = new SimpleHTMLFormatter(options.HighlightPreTag, options.HighlightPostTag);
    }

    public string Build(Document document)
    {
        foreach (string field in s_sourceFields)
        {
            string? text = document.Get(field, CultureInfo.InvariantCulture);
            if (!string.IsNullOrWhiteSpace(text) && Highlight(field, text) is { } snippet)
            {
                return snippet;
            }
        }

        // Nothing stored holds a matched term (a number-only query, or Markdown not stored): show the start of the text.
        string? fallback = document.Get(LuceneFields.Description, CultureInfo.InvariantCulture) ?? document.Get(LuceneFields.Markdown, CultureInfo.InvariantCulture) ?? document.Get(LuceneFields.Title, CultureInfo.InvariantCulture);
        return fallback is null ? string.Empty : Fold(fallback, _options.FragmentLength);
    }

    private string? Highlight(string field, string text)
    {
        Highlighter highlighter = HighlighterFor(field);
        try
        {
            using TokenStream tokens = _analyzer.GetTokenStream(field, text);
            string[] fragments = highlighter.GetBestFragments(tokens, text, _options.MaxFragments);
            return fragments.Length == 0 ? null : Fold(string.Join(_options.FragmentSeparator, fragments), int.MaxValue);
        }
        catch (InvalidTokenOffsetsException)
        {
            // Offsets past the text mean the analyzer and the stored text disagree; a plain snippet beats none.
            return null;
        }
    }

    private Highlighter HighlighterFor(string field)
    {
        if (!_highlighters.TryGetValue(field, out Highlighter? highlighter))
        {
            // With the reader, the scorer expands prefix, wildcard and fuzzy terms to those the index holds.
            var scorer = new QueryScorer(_query, _reader, field);
            highlighter = new Highlighter(_formatter, scorer)
            {
                TextFragmenter = new SimpleSpanFragmenter(scorer, _options.FragmentLength),
            };
            _highlighters[field] = highlighter;
        }

        return highlighter;
    }

    /// <summary>Folds runs of whitespace (Markdown line breaks, tabs) into one space and cuts at a word boundary.</summary>
    private static string Fold(string text, int maxLength)
    {
        var folded = new StringBuilder(Math.Min(text.Length, maxLength == int.MaxValue ? text.Length : maxLength + 1));
        bool space = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = folded.Length > 0;
                continue;
            }

            if (space)
            {
                if (folded.Length >= maxLength)
                {
                    return folded.Append(" …").ToString();
                }

                folded.Append(' ');
                space = false;
            }

            folded.Append(c);
        }

        return folded.ToString();
    }
}
