using Firecrawl.Streaming.Pipeline;
namespace Firecrawl.Streaming.Sinks;

/// <summary>
/// A sink made of delegates, for writing pages somewhere without a class of its own.
/// </summary>
/// <remarks>
/// The write delegate must be idempotent by <see cref="ScrapedPage.Key"/> (an upsert), since a batch may be
/// written again after a failure or a crash. A custom sink class is just as short:
/// <code>
/// sealed class ConsoleTitles : IPageSink
/// {
///     public string Name =&gt; "console";
///     public ValueTask WriteAsync(IReadOnlyList&lt;ScrapedPage&gt; pages, CancellationToken ct = default)
///     {
///         foreach (ScrapedPage page in pages) Console.WriteLine($"{page.Key} {page.Metadata.Title}");
///         return ValueTask.CompletedTask;
///     }
///     public ValueTask FlushAsync(CancellationToken ct = default) =&gt; ValueTask.CompletedTask;
///     public ValueTask DisposeAsync() =&gt; ValueTask.CompletedTask;
/// }
/// </code>
/// </remarks>
/// <example>
/// <code>
/// var db = new DelegatePageSink("postgres", async (pages, ct) =&gt;
/// {
///     foreach (ScrapedPage page in pages)
///     {
///         await repository.UpsertAsync(page.Key, page.Url, page.Markdown, ct);
///     }
/// });
/// await client.StreamBatchScrapeAsync(jobId).ToSinksAsync(db);
/// </code>
/// </example>
public sealed class DelegatePageSink : IPageSink
{
    private readonly Func<IReadOnlyList<ScrapedPage>, CancellationToken, ValueTask> _write;
    private readonly Func<CancellationToken, ValueTask>? _flush;
    private Func<ValueTask>? _dispose;

    /// <summary>Creates a sink.</summary>
    /// <param name="name">The name for progress reports and metrics.</param>
    /// <param name="write">Writes a batch of pages, idempotently by <see cref="ScrapedPage.Key"/>.</param>
    /// <param name="flush">Makes what was written durable; null when every write is durable when it returns.</param>
    /// <param name="dispose">Releases resources, called once; null for none.</param>
    public DelegatePageSink(
        string name,
        Func<IReadOnlyList<ScrapedPage>, CancellationToken, ValueTask> write,
        Func<CancellationToken, ValueTask>? flush = null,
        Func<ValueTask>? dispose = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(write);
        Name = name;
        _write = write;
        _flush = flush;
        _dispose = dispose;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pages);
        return _write(pages, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) =>
        _flush is null ? ValueTask.CompletedTask : _flush(cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _dispose, null) is { } dispose ? dispose() : ValueTask.CompletedTask;

    /// <inheritdoc/>
    public override string ToString() => Name;
}
