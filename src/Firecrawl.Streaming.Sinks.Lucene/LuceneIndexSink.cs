using Firecrawl.Streaming.Pipeline;
using Lucene.Net.Analysis;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Store;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Firecrawl.Streaming.Sinks.Lucene;

/// <summary>
/// Indexes pages into a Lucene.NET full-text index on disk: the project's embedded default index, searchable with
/// <see cref="LuceneIndex"/> and needing no server.
/// </summary>
/// <remarks>
/// <para><b>Documents.</b> One document per page, with the fields named in <see cref="LuceneFields"/>: title,
/// description and Markdown analyzed for full-text search, the status code and position as numbers, and the URL,
/// key, scrape id, job id and language as exact terms.</para>
/// <para><b>Exactly once.</b> Pages are upserted by <see cref="ScrapedPage.Key"/> (<see cref="LuceneFields.Key"/>, one
/// exact term): writing a page the index holds replaces its document, so pages replayed after a crash never appear
/// twice, while two different pages that share a final URL (redirects, the same URL scraped twice) are two documents,
/// both found by <c>url:"…"</c>.</para>
/// <para><b>Long values.</b> Exact-term fields longer than <see cref="LuceneFields.MaxExactTermBytes"/> are indexed as
/// their beginning and a hash (<see cref="LuceneFields.ExactTerm"/>) and stored whole, so a page with a 40 KB
/// <c>lang</c> attribute is indexed like any other instead of failing with Lucene's "immense term" error.</para>
/// <para><b>Durability.</b> <see cref="FlushAsync"/> commits the index (<c>fsync</c>ed); a search sees pages once
/// they are committed. Disposing the sink commits too, so a run that fails keeps what it wrote — replays overwrite it.</para>
/// <para><b>Concurrency.</b> Writes may run in parallel (the Lucene writer is thread-safe), so the pipeline's
/// <c>MaxDegreeOfParallelism</c> may be raised for this sink. Indexing is CPU-bound and runs on the calling thread.
/// One sink at a time may write to a directory: Lucene's write lock makes a second one fail to open.</para>
/// </remarks>
public sealed class LuceneIndexSink : IPageSink
{
    private readonly LuceneIndexSinkOptions _options;
    private readonly LuceneDirectory _directory;
    private readonly Analyzer _analyzer;
    private readonly IndexWriter _writer;
    private int _disposed;

    /// <summary>Opens the index in <paramref name="directory"/>, creating the directory and the index if missing.</summary>
    /// <param name="directory">The directory that holds (or will hold) the index.</param>
    /// <param name="options">The options; null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="InvalidOperationException">The index was built with a different analyzer.</exception>
    /// <exception cref="LockObtainFailedException">Another writer holds the index open.</exception>
    public LuceneIndexSink(string directory, LuceneIndexSinkOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _options = options ?? new LuceneIndexSinkOptions();
        _options.Validate();
        Name = "lucene:" + directory;
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);

        _directory = FSDirectory.Open(Directory);
        _analyzer = LuceneAnalyzers.Create(_options.Analyzer);
        try
        {
            RequireSameAnalyzer();
            var config = new IndexWriterConfig(LuceneAnalyzers.Version, _analyzer)
            {
                OpenMode = OpenMode.CREATE_OR_APPEND,
                RAMBufferSizeMB = _options.RamBufferSizeMB,
            };
            _writer = new IndexWriter(_directory, config);

            // Recorded with every commit, so LuceneIndex analyzes queries the way the pages were analyzed.
            _writer.SetCommitData(new Dictionary<string, string>
            {
                [LuceneFields.AnalyzerCommitKey] = _options.Analyzer.ToString(),
            });
        }
        catch
        {
            _analyzer.Dispose();
            _directory.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets the full path of the index directory.</summary>
    public string Directory { get; }

    /// <inheritdoc/>
    public ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pages);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        foreach (ScrapedPage page in pages)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _writer.UpdateDocument(new Term(LuceneFields.Key, LuceneFields.ExactTerm(page.Key)), CreateDocument(page));
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        _writer.Commit();
        return ValueTask.CompletedTask;
    }

    /// <summary>Commits what was written and releases the index.</summary>
    /// <returns>A task that completes when the index is closed.</returns>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }

        try
        {
            // Commits pending documents and waits for running merges, leaving a compact, consistent index.
            _writer.Dispose();
        }
        finally
        {
            _analyzer.Dispose();
            _directory.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    private Document CreateDocument(ScrapedPage page)
    {
        PageMetadata metadata = page.Metadata;
        var document = new Document { new Int64Field(LuceneFields.Position, page.Position, Field.Store.YES) };
        AddExact(document, LuceneFields.Url, page.Url ?? page.Key);
        AddExact(document, LuceneFields.Key, page.Key);
        AddExact(document, LuceneFields.JobId, page.JobId);

        if (metadata.ScrapeId is { Length: > 0 } scrapeId)
        {
            document.Add(new StoredField(LuceneFields.ScrapeId, scrapeId));
        }

        AddText(document, LuceneFields.Title, metadata.Title, Field.Store.YES);
        AddText(document, LuceneFields.Description, metadata.Description, Field.Store.YES);
        AddText(document, LuceneFields.Markdown, page.Markdown, _options.StoreMarkdown ? Field.Store.YES : Field.Store.NO);
        if (metadata.StatusCode is int statusCode)
        {
            document.Add(new Int32Field(LuceneFields.StatusCode, statusCode, Field.Store.YES));
        }

        if (metadata.Language.First is { Length: > 0 } language)
        {
            AddExact(document, LuceneFields.Language, language);
        }

        return document;
    }

    /// <summary>Indexes <paramref name="value"/> as one exact term (see <see cref="LuceneFields.ExactTerm"/>) and stores it whole.</summary>
    private static void AddExact(Document document, string field, string value)
    {
        string term = LuceneFields.ExactTerm(value);
        if (ReferenceEquals(term, value))
        {
            document.Add(new StringField(field, value, Field.Store.YES));
            return;
        }

        document.Add(new StringField(field, term, Field.Store.NO));
        document.Add(new StoredField(field, value));
    }

    private static void AddText(Document document, string field, string? text, Field.Store store)
    {
        if (!string.IsNullOrEmpty(text))
        {
            document.Add(new TextField(field, text, store));
        }
    }

    /// <summary>Fails before taking the write lock when the index was built with a different analyzer.</summary>
    private void RequireSameAnalyzer()
    {
        if (!DirectoryReader.IndexExists(_directory))
        {
            return;
        }

        IList<IndexCommit> commits = DirectoryReader.ListCommits(_directory);
        LuceneAnalyzer existing = LuceneAnalyzers.FromCommitData(commits[^1].UserData, Directory);
        if (existing != _options.Analyzer)
        {
            throw new InvalidOperationException(
                $"The index at '{Directory}' was built with the {existing} analyzer; open it with that analyzer, or index into a new directory.");
        }
    }
}
