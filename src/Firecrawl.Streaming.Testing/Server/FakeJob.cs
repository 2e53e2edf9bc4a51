using System.Text;

namespace Firecrawl.Streaming.Testing;

/// <summary>A batch scrape or crawl served by <see cref="FakeFirecrawlServer"/>: its pages, its paging options and its scripted faults.</summary>
public sealed class FakeJob
{
    private readonly Func<int, byte[]> _page;
    private readonly Lock _gate = new();
    private readonly HashSet<int> _revealed = [];
    private int _statusRequests;
    private FakeJobView? _frozen;
    private int[]? _sizes;

    internal FakeJob(string id, int pageCount, Func<int, byte[]> page, FakeJobOptions options)
    {
        Id = id;
        PageCount = pageCount;
        _page = page;
        Options = options;
        Kind = options.Kind;
    }

    /// <summary>Gets the job id (a UUID).</summary>
    public string Id { get; }

    /// <summary>Gets whether the job is a batch scrape or a crawl (fixed when the job is added).</summary>
    public FakeJobKind Kind { get; }

    /// <summary>Gets the number of pages the job ends with.</summary>
    public int PageCount { get; }

    /// <summary>Gets the options (changes take effect on the next request).</summary>
    public FakeJobOptions Options { get; }

    /// <summary>Gets the faults scripted for this job.</summary>
    public FakeFaultScript Faults { get; } = new();

    /// <summary>
    /// Gets the push of the job's webhook events, for a job started with a <c>webhook</c> while
    /// <see cref="FakeServerOptions.Webhooks"/> is set: it completes with every attempt once the last event is delivered
    /// or given up. Null otherwise.
    /// </summary>
    public Task<IReadOnlyList<FakeWebhookDelivery>>? WebhookPush { get; internal set; }

    /// <summary>Gets the number of status requests served so far.</summary>
    public int StatusRequests => Volatile.Read(ref _statusRequests);

    /// <summary>Gets a value indicating whether the job was cancelled (by <see cref="Cancel"/> or a <c>DELETE</c>).</summary>
    public bool IsCancelled
    {
        get
        {
            lock (_gate)
            {
                return _frozen is not null;
            }
        }
    }

    /// <summary>Gets every page's JSON, in the job's final order (produced anew on each call for a job built from a factory).</summary>
    public IReadOnlyList<byte[]> Pages => [.. Enumerable.Range(0, PageCount).Select(_page)];

    /// <summary>Gets page <paramref name="index"/>'s JSON.</summary>
    /// <param name="index">The page's position in the final order.</param>
    /// <returns>The bytes.</returns>
    public byte[] GetPage(int index) => _page(index);

    /// <summary>
    /// Cancels the job as if from elsewhere (another client, the dashboard): from now on every status request
    /// sees <c>cancelled</c> with the pages the next status request would have seen, and nothing changes any more.
    /// </summary>
    /// <returns>True if the job was running; false if it had already finished (completed, failed or cancelled).</returns>
    public bool Cancel()
    {
        lock (_gate)
        {
            FakeJobView now = _frozen ?? ViewAt(_statusRequests);
            if (now.Status != "scraping")
            {
                return false;
            }

            _frozen = now with { Status = "cancelled" };
            return true;
        }
    }

    /// <summary>What the next status request would see, without counting as one.</summary>
    internal FakeJobView Peek()
    {
        lock (_gate)
        {
            return _frozen ?? ViewAt(_statusRequests);
        }
    }

    /// <summary>
    /// What one status request sees: the status and the current listing. Counts the request, then reveals
    /// the late commits it triggers (for the requests after it).
    /// </summary>
    internal FakeJobView Observe(int skip)
    {
        lock (_gate)
        {
            FakeJobView view = _frozen ?? ViewAt(_statusRequests);
            Volatile.Write(ref _statusRequests, _statusRequests + 1);
            if (_frozen is null)
            {
                foreach (FakeLateCommit commit in Options.LateCommits)
                {
                    if (skip >= commit.RevealAfterSkip)
                    {
                        _revealed.Add(commit.Index);
                    }
                }
            }

            return view;
        }
    }

    /// <summary>
    /// How many pages the chunk at listing position <paramref name="skip"/> holds, capped like the real server.
    /// Only sizes are kept, so a large job is never held in memory: pages are produced again as they are written.
    /// </summary>
    internal int ChunkLength(FakeJobView view, int skip, int limit)
    {
        int count = 0;
        long units = 0;
        for (int position = skip; position < view.Completed && count < limit; position++)
        {
            long size = Size(view.IndexAt(position));
            if (count > 0 && units + size > Options.ChunkByteCap)
            {
                break;
            }

            count++;
            units += size;
        }

        return count;
    }

    /// <summary>The listing the request with index <paramref name="request"/> sees: pages finish progressively while scraping, late commits stay hidden until revealed.</summary>
    private FakeJobView ViewAt(int request)
    {
        int scraping = Options.ScrapingRequests;
        (string status, int finished) = request < scraping
            ? ("scraping", (int)((long)PageCount * request / scraping))
            : (Options.FinalStatus, PageCount);
        int[] hidden = [.. Options.LateCommits
            .Select(c => c.Index)
            .Where(i => i >= 0 && i < finished && !_revealed.Contains(i))
            .Distinct()
            .Order()];
        return new FakeJobView(status, finished, hidden);
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

/// <summary>One status request's view of a job.</summary>
/// <param name="Status">scraping, completed, failed or cancelled.</param>
/// <param name="Finished">How many pages of the final order have finished (a prefix of it).</param>
/// <param name="Hidden">The finished pages not listed yet (late commits), sorted by final index.</param>
internal sealed record FakeJobView(string Status, int Finished, int[] Hidden)
{
    /// <summary>Gets the number of pages listed, which is what <c>completed</c> reports.</summary>
    public int Completed => Finished - Hidden.Length;

    /// <summary>The final index of the page at listing position <paramref name="position"/>.</summary>
    public int IndexAt(int position)
    {
        int index = position;
        foreach (int hidden in Hidden)
        {
            if (hidden <= index)
            {
                index++;
            }
        }

        return index;
    }
}
