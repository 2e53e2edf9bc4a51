using System.Text;

namespace Firecrawl.Streaming.Testing;

/// <summary>A batch job served by <see cref="FakeFirecrawlServer"/>: its pages, its paging options and its scripted faults.</summary>
public sealed class FakeJob
{
    private readonly Func<int, byte[]> _page;
    private int _statusRequests;
    private int[]? _sizes;

    internal FakeJob(string id, int pageCount, Func<int, byte[]> page, FakeJobOptions options)
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

    /// <summary>Gets every page's JSON, in job order (produced anew on each call for a job built from a factory).</summary>
    public IReadOnlyList<byte[]> Pages => [.. Enumerable.Range(0, PageCount).Select(_page)];

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

    /// <summary>
    /// How many pages the chunk at <paramref name="skip"/> holds, capped like the real server. Only sizes are
    /// kept, so a large job is never held in memory: pages are produced again as they are written.
    /// </summary>
    internal int ChunkLength(int skip, int limit, int visible)
    {
        int count = 0;
        long units = 0;
        for (int i = skip; i < visible && count < limit; i++)
        {
            long size = Size(i);
            if (count > 0 && units + size > Options.ChunkByteCap)
            {
                break;
            }

            count++;
            units += size;
        }

        return count;
    }

    private int Size(int index)
    {
        int[] sizes = _sizes ??= new int[PageCount];
        if (sizes[index] == 0)
        {
            sizes[index] = Encoding.UTF8.GetCharCount(_page(index)) + 1;
        }

        return sizes[index] - 1;
    }
}
