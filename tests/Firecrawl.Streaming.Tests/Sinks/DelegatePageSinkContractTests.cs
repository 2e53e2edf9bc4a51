using Firecrawl.Streaming.Pipeline;
using System.Collections.Concurrent;
using Firecrawl.Streaming.Sinks;

namespace Firecrawl.Streaming.Tests.Sinks;

/// <summary>The contract over a delegate sink that upserts into a dictionary: the contract's own reference backend.</summary>
public sealed class DelegatePageSinkContractTests : PageSinkContractTests
{
    private readonly ConcurrentDictionary<string, byte[]> _backend = new();
    private int _flushes;
    private int _disposals;

    protected override ValueTask<IPageSink> CreateSinkAsync() => ValueTask.FromResult<IPageSink>(new DelegatePageSink(
        "memory",
        (pages, _) =>
        {
            foreach (ScrapedPage page in pages)
            {
                _backend[page.Key] = page.Utf8Json.ToArray();
            }

            return ValueTask.CompletedTask;
        },
        _ =>
        {
            Interlocked.Increment(ref _flushes);
            return ValueTask.CompletedTask;
        },
        () =>
        {
            Interlocked.Increment(ref _disposals);
            return ValueTask.CompletedTask;
        }));

    protected override Task<IReadOnlyList<string>> ReadBackKeysAsync() => Task.FromResult<IReadOnlyList<string>>([.. _backend.Keys]);

    [Fact]
    public async Task DisposeAsync_Twice_CallsTheDelegateOnce()
    {
        IPageSink sink = await CreateSinkAsync();
        await sink.DisposeAsync();
        await sink.DisposeAsync();
        Assert.Equal(1, _disposals);
    }

    [Fact]
    public async Task FlushAsync_WithoutFlushDelegate_Completes()
    {
        await using var sink = new DelegatePageSink("w", (_, _) => ValueTask.CompletedTask);
        await sink.FlushAsync(Ct);
        Assert.Equal("w", sink.ToString());
    }

    [Fact]
    public async Task FlushAsync_WithFlushDelegate_CallsIt()
    {
        await using IPageSink sink = await CreateSinkAsync();
        await sink.FlushAsync(Ct);
        Assert.Equal(1, _flushes);
    }

    [Fact]
    public void Constructor_NoName_Throws() =>
        Assert.Throws<ArgumentException>(() => new DelegatePageSink(" ", (_, _) => ValueTask.CompletedTask));
}
