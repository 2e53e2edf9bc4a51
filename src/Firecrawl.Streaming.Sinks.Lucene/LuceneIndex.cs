using System.Globalization;
using Lucene.Net.Analysis;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.QueryParsers.Classic;
using Lucene.Net.Search;
using Lucene.Net.Store;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Firecrawl.Streaming.Sinks.Lucene;

/// <summary>
/// Searches an index that <see cref="LuceneIndexSink"/> built: the project's embedded default index. Queries use the
/// classic Lucene syntax (<c>pricing AND "free tier"</c>, <c>title:docs</c>, <c>statusCode:[400 TO 499]</c>, <c>optim*</c>)
/// over title, description and Markdown, with title matches counting most. The exact-term fields of
/// <see cref="LuceneFields"/> match whole values: <c>url:"https://example.com/docs"</c>, <c>language:en</c>.
/// </summary>
/// <remarks>
/// An open index sees the pages committed when it was opened or last <see cref="Refresh">refreshed</see>, and may be
/// read while a sink writes to the same directory. It is safe to search from several threads at once.
/// </remarks>
/// <example>
/// <code>
/// using LuceneIndex index = LuceneIndex.Open("./index");
/// foreach (SearchHit hit in index.Search("pricing", top: 5))
/// {
///     Console.WriteLine($"{hit.Score:0.00} {hit.Url}\n  {hit.Snippet}");
/// }
/// </code>
/// </example>
public sealed class LuceneIndex : IDisposable
{
    /// <summary>The most hits one search returns.</summary>
    public const int MaxTop = 10_000;

    private readonly LuceneDirectory _directory;
    private readonly SearcherManager _searchers;
    private readonly Analyzer _analyzer;
    private readonly LuceneSearchOptions _options;
    private int _disposed;

    private LuceneIndex(string path, LuceneDirectory directory, SearcherManager searchers, LuceneAnalyzer analyzer, LuceneSearchOptions options)
    {
        Directory = path;
        _directory = directory;
        _searchers = searchers;
        Analyzer = analyzer;
        _analyzer = LuceneAnalyzers.Create(analyzer);
        _options = options;
    }

    /// <summary>Gets the full path of the index directory.</summary>
    public string Directory { get; }

    /// <summary>Gets the analyzer the index was built with, which queries are analyzed with too.</summary>
    public LuceneAnalyzer Analyzer { get; }

    /// <summary>Gets the number of pages (documents) in the index as of the last refresh.</summary>
    public int Count => WithSearcher(searcher => searcher.IndexReader.NumDocs);

    /// <summary>Opens the index in <paramref name="directory"/> for searching.</summary>
    /// <param name="directory">The index directory a <see cref="LuceneIndexSink"/> wrote to.</param>
    /// <param name="options">The search options; null for the defaults.</param>
    /// <returns>The open index; dispose it when done.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist, or holds no committed index.</exception>
    public static LuceneIndex Open(string directory, LuceneSearchOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        options ??= new LuceneSearchOptions();
        options.Validate();
        string path = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"There is no index at '{path}': the directory does not exist.");
        }

        LuceneDirectory store = FSDirectory.Open(path);
        try
        {
            if (!DirectoryReader.IndexExists(store))
            {
                throw new DirectoryNotFoundException($"There is no index at '{path}': the directory holds no committed Lucene index.");
            }

            var searchers = new SearcherManager(store, null);
            try
            {
                IndexSearcher searcher = searchers.Acquire();
                LuceneAnalyzer analyzer;
                try
                {
                    analyzer = LuceneAnalyzers.FromCommitData(((DirectoryReader)searcher.IndexReader).IndexCommit.UserData, path);
                }
                finally
                {
                    searchers.Release(searcher);
                }

                return new LuceneIndex(path, store, searchers, analyzer, options);
            }
            catch
            {
                searchers.Dispose();
                throw;
            }
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Finds the pages that best match <paramref name="query"/>.</summary>
    /// <param name="query">The query, in the classic Lucene syntax.</param>
    /// <param name="top">The most hits to return, 1 to <see cref="MaxTop"/>.</param>
    /// <returns>The hits, best first.</returns>
    /// <exception cref="ArgumentException">The query is empty, or <paramref name="top"/> is out of range.</exception>
    /// <exception cref="InvalidSearchQueryException">The query is not valid; the message says why, in one line.</exception>
    public IReadOnlyList<SearchHit> Search(string query, int top = 10)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(top, MaxTop);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Query parsed = Parse(query);
        return WithSearcher(searcher =>
        {
            TopDocs found;
            try
            {
                found = searcher.Search(parsed, top);
            }
            catch (BooleanQuery.TooManyClausesException e)
            {
                throw new InvalidSearchQueryException(query, "a wildcard or range matches too many terms; make it narrower.", e);
            }

            var snippets = new SnippetBuilder(parsed, searcher.IndexReader, _analyzer, _options);
            var hits = new List<SearchHit>(found.ScoreDocs.Length);
            foreach (ScoreDoc scoreDoc in found.ScoreDocs)
            {
                Document document = searcher.Doc(scoreDoc.Doc);
                hits.Add(new SearchHit(
                    url: document.Get(LuceneFields.Url, CultureInfo.InvariantCulture),
                    key: document.Get(LuceneFields.Key, CultureInfo.InvariantCulture),
                    title: document.Get(LuceneFields.Title, CultureInfo.InvariantCulture),
                    score: scoreDoc.Score,
                    snippet: snippets.Build(document),
                    statusCode: document.GetField(LuceneFields.StatusCode)?.GetInt32Value()));
            }

            return hits;
        });
    }

    /// <summary>Makes later searches see what was committed since the index was opened or last refreshed.</summary>
    public void Refresh()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _searchers.MaybeRefreshBlocking();
    }

    /// <summary>Closes the index.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _searchers.Dispose();
        _analyzer.Dispose();
        _directory.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => "lucene:" + Directory;

    private Query Parse(string query)
    {
        var parser = new PageQueryParser(_analyzer, _options);
        try
        {
            return parser.Parse(query);
        }
        catch (ParseException e)
        {
            throw new InvalidSearchQueryException(query, Describe(e, query), e);
        }
    }

    /// <summary>
    /// The first line of the parser's message without its "Cannot parse '…': " preamble; the lines after it list
    /// every token the grammar would have accepted, which helps nobody at a prompt.
    /// </summary>
    private static string Describe(ParseException e, string query)
    {
        string message = e.Message;
        string preamble = $"Cannot parse '{query}': ";
        if (message.StartsWith(preamble, StringComparison.Ordinal))
        {
            message = message[preamble.Length..];
        }

        int lineBreak = message.IndexOfAny(['\r', '\n']);
        message = (lineBreak >= 0 ? message[..lineBreak] : message).Trim();
        return message.Length > 0 ? message : "the query syntax is not valid.";
    }

    private T WithSearcher<T>(Func<IndexSearcher, T> action)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        IndexSearcher searcher = _searchers.Acquire();
        try
        {
            return action(searcher);
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }
}
