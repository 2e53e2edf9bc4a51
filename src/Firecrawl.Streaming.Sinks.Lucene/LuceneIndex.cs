using Lucene.Net.Analysis.Standard;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.QueryParsers.Classic;
using Lucene.Net.Search;
using Lucene.Net.Search.Highlight;
using Lucene.Net.Store;
using Lucene.Net.Util;
using System.Globalization;

namespace Firecrawl.Streaming.Sinks.Lucene;

/// <summary>Searches an index written by <see cref="LuceneIndexSink"/>.</summary>
/// <example>
/// <code>
/// using LuceneIndex index = LuceneIndex.Open("./index");
/// foreach (SearchHit hit in index.Search("pipeline backpressure", top: 5))
///     Console.WriteLine($"{hit.Score:0.00} {hit.Url} {hit.Title}\n  {hit.Snippet}");
/// </code>
/// </example>
public sealed class LuceneIndex : IDisposable
{
    /// <summary>The marker placed before each matched term in a snippet.</summary>
    public const string HighlightPre = "**";

    /// <summary>The marker placed after each matched term in a snippet.</summary>
    public const string HighlightPost = "**";

    private static readonly string[] SearchedFields = [PageIndexFields.Title, PageIndexFields.Description, PageIndexFields.Markdown];

    // A match in the title says more than one in the body.
    private static readonly Dictionary<string, float> Boosts = new()
    {
        [PageIndexFields.Title] = 3f,
        [PageIndexFields.Description] = 1.5f,
        [PageIndexFields.Markdown] = 1f,
    };

    private readonly FSDirectory _directory;
    private readonly DirectoryReader _reader;
    private readonly StandardAnalyzer _analyzer;
    private readonly IndexSearcher _searcher;

    private LuceneIndex(FSDirectory directory, DirectoryReader reader)
    {
        _directory = directory;
        _reader = reader;
        _analyzer = new StandardAnalyzer(LuceneIndexSink.Version);
        _searcher = new IndexSearcher(reader);
    }

    /// <summary>Gets the number of pages in the index.</summary>
    public int Count => _reader.NumDocs;

    /// <summary>Opens the index in <paramref name="directory"/> for searching.</summary>
    /// <param name="directory">The index folder.</param>
    /// <returns>The index.</returns>
    /// <exception cref="DirectoryNotFoundException">There is no index there.</exception>
    public static LuceneIndex Open(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        FSDirectory fs = FSDirectory.Open(System.IO.Path.GetFullPath(directory));
        if (!System.IO.Directory.Exists(directory) || !DirectoryReader.IndexExists(fs))
        {
            fs.Dispose();
            throw new DirectoryNotFoundException($"There is no Lucene index in {directory}.");
        }

        return new LuceneIndex(fs, DirectoryReader.Open(fs));
    }

    /// <summary>
    /// Finds the pages that best match <paramref name="query"/> (Lucene query syntax over title, description and
    /// markdown; the title counts most).
    /// </summary>
    /// <param name="query">The query, e.g. <c>pipeline AND "back pressure"</c>.</param>
    /// <param name="top">The most results to return.</param>
    /// <returns>The hits, best first.</returns>
    /// <exception cref="ArgumentException">The query is empty or its syntax is invalid.</exception>
    public IReadOnlyList<SearchHit> Search(string query, int top = 10)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        Query parsed;
        try
        {
            parsed = new MultiFieldQueryParser(LuceneIndexSink.Version, SearchedFields, _analyzer, Boosts).Parse(query);
        }
        catch (ParseException e)
        {
            throw new ArgumentException($"The query \"{query}\" is not valid Lucene query syntax: {FirstLine(e.Message)}", nameof(query), e);
        }

        TopDocs found = _searcher.Search(parsed, top);
        var highlighter = new Highlighter(new SimpleHTMLFormatter(HighlightPre, HighlightPost), new QueryScorer(parsed))
        {
            TextFragmenter = new SimpleFragmenter(160),
        };
        var hits = new List<SearchHit>(found.ScoreDocs.Length);
        foreach (ScoreDoc match in found.ScoreDocs)
        {
            Document document = _searcher.Doc(match.Doc);
            hits.Add(new SearchHit(
                document.Get(PageIndexFields.Url, CultureInfo.InvariantCulture) ?? string.Empty,
                document.Get(PageIndexFields.Title, CultureInfo.InvariantCulture) ?? string.Empty,
                match.Score,
                Snippet(highlighter, document),
                document.GetField(PageIndexFields.StatusCode)?.GetInt32Value()));
        }

        return hits;
    }

    /// <summary>Reads the key of every page in the index (for checks and exports).</summary>
    /// <returns>The keys.</returns>
    public IReadOnlyList<string> ReadAllKeys()
    {
        var keys = new List<string>(_reader.NumDocs);
        IBits? live = MultiFields.GetLiveDocs(_reader);
        for (int i = 0; i < _reader.MaxDoc; i++)
        {
            if (live is null || live.Get(i))
            {
                keys.Add(_reader.Document(i).Get(PageIndexFields.Key, CultureInfo.InvariantCulture));
            }
        }

        return keys;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _reader.Dispose();
        _analyzer.Dispose();
        _directory.Dispose();
    }

    private string Snippet(Highlighter highlighter, Document document)
    {
        foreach (string field in new[] { PageIndexFields.Markdown, PageIndexFields.Description, PageIndexFields.Title })
        {
            string? text = document.Get(field, CultureInfo.InvariantCulture);
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            string? fragment = highlighter.GetBestFragment(_analyzer, field, text);
            if (fragment is not null)
            {
                return Flatten(fragment);
            }
        }

        string fallback = document.Get(PageIndexFields.Description, CultureInfo.InvariantCulture) ?? document.Get(PageIndexFields.Markdown, CultureInfo.InvariantCulture) ?? string.Empty;
        return Flatten(fallback.Length > 160 ? fallback[..160] : fallback);
    }

    private static string Flatten(string text) => string.Join(' ', text.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
