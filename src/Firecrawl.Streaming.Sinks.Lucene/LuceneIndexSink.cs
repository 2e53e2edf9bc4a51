using Lucene.Net.Analysis.Standard;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Firecrawl.Streaming.Sinks;

namespace Firecrawl.Streaming.Sinks.Lucene;

/// <summary>
/// Indexes pages into a Lucene.NET full-text index on disk — the project's embedded default index.
/// Fields: url, key, title, description, markdown, statusCode, position, jobId (see <see cref="PageIndexFields"/>);
/// search it with <see cref="LuceneIndex"/>.
/// </summary>
/// <remarks>
/// Pages are upserted by URL (<see cref="IndexWriter.UpdateDocument(Term, IEnumerable{IIndexableField})"/>), so a page
/// replayed after a crash replaces itself rather than appearing twice. <see cref="FlushAsync"/> commits: what it
/// returns for is durable. The index writer is thread-safe, so parallel writes from the pipeline are fine.
/// </remarks>
public sealed class LuceneIndexSink : IPageSink
{
    internal const LuceneVersion Version = LuceneVersion.LUCENE_48;

    private readonly LuceneIndexSinkOptions _options;
    private readonly FSDirectory _directory;
    private readonly StandardAnalyzer _analyzer;
    private readonly IndexWriter _writer;
    private int _disposed;

    /// <summary>Opens (or creates) the index in <paramref name="directory"/>.</summary>
    /// <param name="directory">The index folder; created when missing.</param>
    /// <param name="options">The options; null for the defaults.</param>
    public LuceneIndexSink(string directory, LuceneIndexSinkOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _options = options ?? new LuceneIndexSinkOptions();
        _options.Validate();
        Directory = System.IO.Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        _directory = FSDirectory.Open(Directory);
        _analyzer = new StandardAnalyzer(Version);
        var config = new IndexWriterConfig(Version, _analyzer)
        {
            OpenMode = OpenMode.CREATE_OR_APPEND,
            RAMBufferSizeMB = _options.RamBufferSizeMB,
        };
        _writer = new IndexWriter(_directory, config);
        Name = "lucene:" + directory;
    }

    /// <summary>Gets the full path of the index folder.</summary>
    public string Directory { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pages);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        foreach (ScrapedPage page in pages)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string url = page.Url ?? page.Key;
            _writer.UpdateDocument(new Term(PageIndexFields.Url, url), ToDocument(page, url));
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        cancellationToken.ThrowIfCancellationRequested();

        // Commit writes the segments and fsyncs them: after this the pages survive a crash.
        _writer.Commit();
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes the index. Pages written since the last flush are committed too.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _writer.Dispose();
            _analyzer.Dispose();
            _directory.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private Document ToDocument(ScrapedPage page, string url)
    {
        string markdown = page.Markdown ?? string.Empty;
        if (markdown.Length > _options.MaxMarkdownChars)
        {
            markdown = markdown[.._options.MaxMarkdownChars];
        }

        var document = new Document
        {
            new StringField(PageIndexFields.Url, url, Field.Store.YES),
            new StringField(PageIndexFields.Key, page.Key, Field.Store.YES),
            new StringField(PageIndexFields.JobId, page.JobId, Field.Store.YES),
            new TextField(PageIndexFields.Title, page.Metadata.Title.ToString(), Field.Store.YES),
            new TextField(PageIndexFields.Description, page.Metadata.Description.ToString(), Field.Store.YES),
            new TextField(PageIndexFields.Markdown, markdown, _options.StoreMarkdown ? Field.Store.YES : Field.Store.NO),
            new Int64Field(PageIndexFields.Position, page.Position, Field.Store.YES),
        };
        if (page.Metadata.StatusCode is int status)
        {
            document.Add(new Int32Field(PageIndexFields.StatusCode, status, Field.Store.YES));
        }

        return document;
    }
}
