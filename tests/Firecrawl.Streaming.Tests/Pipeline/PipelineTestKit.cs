using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Pipeline;

/// <summary>A source of test pages that counts what it has produced and can pause or fail.</summary>
public sealed class CountingSource(int count, string jobId = "job-1") : IAsyncEnumerable<ScrapedPage>
{
    private readonly List<ScrapedPage> _pages = TestPages.Create(count, jobId);
    private int _produced;

    public IReadOnlyList<ScrapedPage> Pages => _pages;

    public int Produced => Volatile.Read(ref _produced);

    public bool Disposed { get; private set; }

    /// <summary>Awaited before yielding page N when set.</summary>
    public Func<int, CancellationToken, ValueTask>? BeforePage { get; init; }

    /// <summary>Thrown instead of yielding page N.</summary>
    public (int At, Exception Error)? Failure { get; init; }

    public async IAsyncEnumerator<ScrapedPage> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        try
        {
            for (int i = 0; i < _pages.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (BeforePage is { } before)
                {
                    await before(i, cancellationToken);
                }

                if (Failure is { } failure && failure.At == i)
                {
                    throw failure.Error;
                }

                Interlocked.Increment(ref _produced);
                yield return _pages[i];
            }
        }
        finally
        {
            Disposed = true;
        }
    }
}

/// <summary>
/// A sink that records what it is given, keyed by page key (an upsert, so it is idempotent), and lets a test slow
/// it down, block it, or make it fail.
/// </summary>
public sealed class RecordingSink(string name = "recording") : IPageSink
{
    private readonly ConcurrentDictionary<string, int> _writesPerKey = new();
    private readonly ConcurrentQueue<IReadOnlyList<ScrapedPage>> _batches = new();
    private int _concurrent;
    private int _maxConcurrent;
    private int _written;
    private long _flushedThrough = -1;
    private int _inWriteOrFlush;

    public string Name { get; } = name;

    public Func<IReadOnlyList<ScrapedPage>, int, CancellationToken, ValueTask>? OnWrite { get; set; }

    public Func<int, CancellationToken, ValueTask>? OnFlush { get; set; }

    public IReadOnlyList<IReadOnlyList<ScrapedPage>> Batches => [.. _batches];

    public IReadOnlyCollection<string> Keys => [.. _writesPerKey.Keys];

    public int PagesWritten => Volatile.Read(ref _written);

    public int MaxConcurrentWrites => Volatile.Read(ref _maxConcurrent);

    public int Flushes { get; private set; }

    public bool FlushOverlappedWrite { get; private set; }

    public bool Disposed { get; private set; }

    public int Active => Volatile.Read(ref _inWriteOrFlush);

    /// <summary>The highest page position every flush so far has covered (all pages at or below it were written before it).</summary>
    public long FlushedThrough => Interlocked.Read(ref _flushedThrough);

    private int _writeCalls;

    public async ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _inWriteOrFlush);
        int now = Interlocked.Increment(ref _concurrent);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxConcurrent)) && Interlocked.CompareExchange(ref _maxConcurrent, now, seen) != seen)
        {
        }

        try
        {
            int call = Interlocked.Increment(ref _writeCalls);
            if (OnWrite is { } hook)
            {
                await hook(pages, call, cancellationToken);
            }

            _batches.Enqueue(pages);
            foreach (ScrapedPage page in pages)
            {
                _writesPerKey.AddOrUpdate(page.Key, 1, (_, n) => n + 1);
            }

            Interlocked.Add(ref _written, pages.Count);
        }
        finally
        {
            Interlocked.Decrement(ref _concurrent);
            Interlocked.Decrement(ref _inWriteOrFlush);
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _inWriteOrFlush);
        try
        {
            if (Volatile.Read(ref _concurrent) > 0)
            {
                FlushOverlappedWrite = true;
            }

            Flushes++;
            if (OnFlush is { } hook)
            {
                await hook(Flushes, cancellationToken);
            }

            // Everything written so far is now durable: the unbroken run of positions from the first page.
            var positions = new HashSet<long>(_batches.SelectMany(b => b).Select(p => p.Position));
            if (positions.Count > 0)
            {
                long through = positions.Min();
                while (positions.Contains(through + 1))
                {
                    through++;
                }

                Interlocked.Exchange(ref _flushedThrough, through);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inWriteOrFlush);
        }
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}

/// <summary>An <see cref="IMeterFactory"/> of its own, so that a test sees only its own run's measurements.</summary>
public sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            foreach (Meter meter in _meters)
            {
                meter.Dispose();
            }
        }
    }
}

public static class PipelineTestExtensions
{
    /// <summary>The position of a page resume token, or of the page a stored checkpoint resumes after.</summary>
    public static long PositionOf(string? stored)
    {
        string? page = stored is not null && PipelineCheckpoint.TryParse(stored, out PipelineCheckpoint? checkpoint) ? checkpoint.ResumeAfter : stored;
        Assert.True(ResumeToken.TryParse(page, out _, out _, out long position, out _), $"not a checkpoint: {stored}");
        return position;
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing after a generous timeout.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, int timeoutMs = 30_000)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.ElapsedMilliseconds > timeoutMs)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>A progress sink that records synchronously (unlike <see cref="Progress{T}"/>, which posts).</summary>
    public sealed class SyncProgress<T> : IProgress<T>
    {
        private readonly ConcurrentQueue<T> _reports = new();

        public IReadOnlyList<T> Reports => [.. _reports];

        public void Report(T value) => _reports.Enqueue(value);
    }
}

internal static class AsyncEnumerable2
{
    public static async IAsyncEnumerable<ScrapedPage> Endless([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (int i = 0; ; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return PageParser.Parse(TestPages.Json(i), "job-endless", i);
        }
    }
}
