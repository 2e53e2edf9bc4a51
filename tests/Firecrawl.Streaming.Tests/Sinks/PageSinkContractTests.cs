using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Sinks;

/// <summary>
/// The behaviour every sink promises. Each sink's test class inherits this and supplies a sink over
/// its real backend and a way to read back what the backend holds.
/// </summary>
/// <remarks>
/// The crash-and-resume tests (in the second part of this class) run the whole pipeline over the fake server into
/// the sink, kill the run at random points, resume it from its checkpoint, and check that the backend holds every
/// page exactly once.
/// </remarks>
public abstract partial class PageSinkContractTests
{
    /// <summary>Creates a sink over the test's backend; called again to "restart" after a crash.</summary>
    protected abstract ValueTask<IPageSink> CreateSinkAsync();

    /// <summary>Reads back the key (<see cref="ScrapedPage.Key"/>) of every page the backend holds, duplicates included.</summary>
    protected abstract Task<IReadOnlyList<string>> ReadBackKeysAsync();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WriteAsync_BatchesThenFlush_BackendHoldsEveryPageOnce()
    {
        List<ScrapedPage> pages = TestPages.Create(25);
        await using (IPageSink sink = await CreateSinkAsync())
        {
            await sink.WriteAsync(pages[..10], Ct);
            await sink.WriteAsync(pages[10..], Ct);
            await sink.FlushAsync(Ct);
        }

        IReadOnlyList<string> keys = await ReadBackKeysAsync();
        Assert.Equal(pages.Select(p => p.Key).Order(), keys.Order());
    }

    [Fact]
    public async Task WriteAsync_PagesReplayedAfterRestart_EachPageOnce()
    {
        List<ScrapedPage> pages = TestPages.Create(30);
        await using (IPageSink sink = await CreateSinkAsync())
        {
            await sink.WriteAsync(pages[..20], Ct);
            await sink.FlushAsync(Ct);
        }

        // A restarted run replays from the last checkpoint: pages 12.. arrive a second time.
        await using (IPageSink sink = await CreateSinkAsync())
        {
            await sink.WriteAsync(pages[12..], Ct);
            await sink.FlushAsync(Ct);
        }

        IReadOnlyList<string> keys = await ReadBackKeysAsync();
        Assert.Equal(pages.Select(p => p.Key).Order(), keys.Order());
    }

    [Fact]
    public async Task WriteAsync_UnicodeTitlesAndOddUrls_AllStoredDistinctly()
    {
        List<ScrapedPage> pages = TestPages.Create(TestPages.Awkward.Length);
        await using (IPageSink sink = await CreateSinkAsync())
        {
            await sink.WriteAsync(pages, Ct);
            await sink.FlushAsync(Ct);
        }

        IReadOnlyList<string> keys = await ReadBackKeysAsync();
        Assert.Equal(pages.Select(p => p.Key).Order(), keys.Order());
    }

    [Fact]
    public async Task WriteAsync_TwoPagesWithTheSameUrlAndTitle_BothStored()
    {
        ScrapedPage first = SinkTestPages.AtUrl(1, "https://example.com/landing", "Same");
        ScrapedPage second = SinkTestPages.AtUrl(2, "https://example.com/landing", "Same");
        await using (IPageSink sink = await CreateSinkAsync())
        {
            await sink.WriteAsync([first, second], Ct);
            await sink.FlushAsync(Ct);
        }

        Assert.Equal(new[] { first.Key, second.Key }.Order(), (await ReadBackKeysAsync()).Order());
    }

    [Fact]
    public async Task WriteAsync_TwoPagesWithEqualBytesAndNoScrapeIdReplayedAfterRestarts_BothStoredOnce()
    {
        // Different pages (positions 3 and 5) whose bytes are equal: their keys differ only by position.
        ScrapedPage third = SinkTestPages.WithoutScrapeId(3);
        ScrapedPage fifth = SinkTestPages.WithoutScrapeId(5);
        foreach (ScrapedPage[] run in new[] { new[] { third }, [third, fifth], [third, fifth] })
        {
            await using IPageSink sink = await CreateSinkAsync();
            await sink.WriteAsync(run, Ct);
            await sink.FlushAsync(Ct);
        }

        Assert.Equal(2, (await ReadBackKeysAsync()).Count);
    }

    [Fact]
    public async Task FlushAsync_WithNothingWritten_Succeeds()
    {
        await using IPageSink sink = await CreateSinkAsync();
        await sink.FlushAsync(Ct);
        Assert.Empty(await ReadBackKeysAsync());
    }

    [Fact]
    public async Task DisposeAsync_Twice_DoesNotThrow()
    {
        IPageSink sink = await CreateSinkAsync();
        await sink.WriteAsync(TestPages.Create(2), Ct);
        await sink.FlushAsync(Ct);
        await sink.DisposeAsync();
        await sink.DisposeAsync();
        Assert.Equal(2, (await ReadBackKeysAsync()).Count);
    }

    [Fact]
    public async Task Name_IsNotEmpty()
    {
        await using IPageSink sink = await CreateSinkAsync();
        Assert.False(string.IsNullOrWhiteSpace(sink.Name));
    }
}
