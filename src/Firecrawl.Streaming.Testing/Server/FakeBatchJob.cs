using System.Text;

namespace Firecrawl.Streaming.Testing;

/// <summary>A batch job served by <see cref="FakeFirecrawlServer"/>: its pages, its paging options and its scripted faults.</summary>
public sealed class FakeBatchJob
{
    private readonly Func<int, byte[]> _page;
    private int _statusRequests;

    internal FakeBatchJob(string id, int pageCount, Func<int, byte[]> page, FakeJobOptions options)
    {
        Id = id;
        PageCount = pageCount;
        _page = page;
        Options = options;
    }

    /// <summary>Gets the job id (a UUID).</summary>
    public string Id { get; }

    /// <summary>Gets the number of pages the job ends with.</summary>
    public int PageCount { get; }

    /// <summary>Gets the options (changes take effect on the next request).</summary>
    public FakeJobOptions Options { get; }

    /// <summary>Gets the faults scripted for this job.</summary>
    public FakeFaultScript Faults { get; } = new();

    /// <summary>Gets the number of status requests served so far.</summary>
    public int StatusRequests => Volatile.Read(ref _statusRequests);

    /// <summary>Gets page <paramref name="index"/>'s JSON.</summary>
    /// <param name="index">The page's position.</param>
    /// <returns>The bytes.</returns>
    public byte[] GetPage(int index) => _page(index);

    /// <summary>What one status request sees: the status and how many pages have finished.</summary>
    internal (string Status, int Visible) Observe()
    {
        int request = Interlocked.Increment(ref _statusRequests) - 1;
        int scraping = Options.ScrapingRequests;
        return request < scraping
            ? ("scraping", (int)((long)PageCount * request / scraping))
            : (Options.FinalStatus, PageCount);
    }

    /// <summary>The pages of the chunk at <paramref name="skip"/>, capped like the real server.</summary>
    internal List<byte[]> Chunk(int skip, int limit, int visible)
    {
        var pages = new List<byte[]>();
        long units = 0;
        for (int i = skip; i < visible && pages.Count < limit; i++)
        {
            byte[] page = _page(i);
            long size = Encoding.UTF8.GetCharCount(page);
            if (pages.Count > 0 && units + size > Options.ChunkByteCap)
            {
                break;
            }

            pages.Add(page);
            units += size;
        }

        return pages;
    }
}
