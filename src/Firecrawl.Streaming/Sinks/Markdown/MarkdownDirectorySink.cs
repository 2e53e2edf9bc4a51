using System.Buffers;
using Firecrawl.Streaming.Pipeline;
using System.Text;

namespace Firecrawl.Streaming.Sinks;

/// <summary>
/// Writes each page to its own Markdown file in a directory: a YAML front-matter block (url, title, description,
/// statusCode, scrapeId, language) and the page's Markdown.
/// </summary>
/// <remarks>
/// <para><b>File names</b> are a slug of the URL plus a hash of the page's key, such as
/// <c>example-com-docs-intro-3f2a9c0d41b7e865.md</c>: never a path outside the directory, never a reserved or
/// case-folded clash, at most about 100 ASCII characters.</para>
/// <para><b>Exactly once.</b> A page always maps to the same file, and each file is written to a temporary name
/// and then renamed over its final name, so a replayed page replaces its file whole and a crash leaves the old file
/// or the new one, never half of one. Temporary files a crash left behind are removed when the sink opens.</para>
/// <para><b>Durability.</b> <see cref="FlushAsync"/> flushes every file written since the last flush to disk.</para>
/// <para>Writes may run in parallel (<c>SinkOptions.MaxDegreeOfParallelism</c>).</para>
/// </remarks>
public sealed class MarkdownDirectorySink : IPageSink
{
    private const string TemporaryPrefix = ".fc-";
    private const string TemporarySuffix = ".tmp";
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly MarkdownDirectorySinkOptions _options;
    private readonly Lock _lock = new();
    private HashSet<string> _unflushed = new(StringComparer.Ordinal);
    private bool _opened;

    /// <summary>Creates a sink over <paramref name="directory"/>, which is created if missing.</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="options">The options; null for the defaults.</param>
    public MarkdownDirectorySink(string directory, MarkdownDirectorySinkOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _options = options ?? new MarkdownDirectorySinkOptions();
        _options.Validate();
        Directory = Path.GetFullPath(directory);
        Name = "markdown:" + directory;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets the full path of the directory.</summary>
    public string Directory { get; }

    /// <summary>Gets the file name a page is written to, relative to <see cref="Directory"/>.</summary>
    /// <param name="page">The page.</param>
    /// <returns>The file name.</returns>
    public string GetFileName(ScrapedPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return MarkdownFileNames.For(page, _options.SlugMaxLength);
    }

    /// <inheritdoc/>
    public async ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pages);
        Open();
        using var content = new PooledLineBuffer(64 * 1024);
        var frontMatter = new StringBuilder();
        foreach (ScrapedPage page in pages)
        {
            content.ResetWrittenCount();
            Render(content, frontMatter, page);
            string path = Path.Combine(Directory, GetFileName(page));
            string temporary = Path.Combine(Directory, TemporaryPrefix + Guid.NewGuid().ToString("N") + TemporarySuffix);
            try
            {
                await File.WriteAllBytesAsync(temporary, content.WrittenMemory, cancellationToken).ConfigureAwait(false);
                File.Move(temporary, path, overwrite: true);
            }
            catch
            {
                File.Delete(temporary);
                throw;
            }

            lock (_lock)
            {
                _unflushed.Add(path);
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        HashSet<string> files;
        lock (_lock)
        {
            files = _unflushed;
            _unflushed = new HashSet<string>(StringComparer.Ordinal);
        }

        try
        {
            // The renames are in the page cache already; flushing each renamed file commits its data and, on
            // journaling file systems, the rename with it.
            await Parallel.ForEachAsync(
                files,
                new ParallelOptions { MaxDegreeOfParallelism = _options.FlushParallelism, CancellationToken = cancellationToken },
                static (path, _) =>
                {
                    using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
                    file.Flush(flushToDisk: true);
                    return ValueTask.CompletedTask;
                }).ConfigureAwait(false);
        }
        catch
        {
            // Not flushed, so flushed next time.
            lock (_lock)
            {
                _unflushed.UnionWith(files);
            }

            throw;
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>
    /// The file's bytes: the front matter (a few hundred characters, built as text), then the Markdown as UTF-8 straight
    /// from the page (<see cref="ScrapedPage.TryWriteUtf8"/>): a page's Markdown is most of its size, and building it as
    /// a string only to encode it back cost about three times its bytes per page.
    /// </summary>
    private void Render(PooledLineBuffer content, StringBuilder frontMatter, ScrapedPage page)
    {
        if (_options.FrontMatter)
        {
            frontMatter.Clear();
            YamlFrontMatter.Write(frontMatter, page);
            frontMatter.Append('\n');
            s_utf8.GetBytes(frontMatter.ToString().AsSpan(), content);
        }

        int start = content.WrittenCount;
        if (page.TryWriteUtf8(PageFields.Markdown, content) && content.WrittenCount > start && content.WrittenSpan[^1] != (byte)'\n')
        {
            content.Write("\n"u8);
        }
    }

    /// <summary>Creates the directory and removes temporary files a crash left, once.</summary>
    private void Open()
    {
        if (Volatile.Read(ref _opened))
        {
            return;
        }

        // Under the lock: a parallel write must neither find the directory missing nor see its temporary file
        // taken for a crash's leftover.
        lock (_lock)
        {
            if (_opened)
            {
                return;
            }

            System.IO.Directory.CreateDirectory(Directory);
            foreach (string leftover in System.IO.Directory.EnumerateFiles(Directory, TemporaryPrefix + "*" + TemporarySuffix))
            {
                File.Delete(leftover);
            }

            Volatile.Write(ref _opened, true);
        }
    }
}
