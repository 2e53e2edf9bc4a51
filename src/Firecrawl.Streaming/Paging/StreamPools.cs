using System.Buffers;
using System.Runtime.CompilerServices;

namespace Firecrawl.Streaming;

/// <summary>
/// The buffers a client's streams reuse: pipe segments for response bodies (<see cref="SegmentPool"/>) and, when pages
/// are pooled, page buffers. One set per connection (that is, per <see cref="FirecrawlJobClient"/>), shared by its
/// streams one after another and at once, and collected with it: a pipeline run after run, or a job streamed again,
/// reuses them instead of filling a fresh pool each time. Both hold more arrays per size than
/// <see cref="ArrayPool{T}.Shared"/> keeps, which is the point: chunks read ahead hold hundreds of segments, and a
/// pipeline's queues hundreds of pages.
/// </summary>
internal sealed class StreamPools
{
    private static readonly ConditionalWeakTable<ApiConnection, StreamPools> ByConnection = [];

    private ArrayPool<byte>? _pages;

    private StreamPools(FirecrawlJobClientOptions options)
    {
        // Enough blocks for every chunk read ahead plus the one being read.
        int blockSize = options.ReadBufferSize;
        Segments = new SegmentPool(blockSize, (int)Math.Min(int.MaxValue, (options.MaxConcurrency + 1L) * ChunkSession.ReadAheadBytes / blockSize));
    }

    /// <summary>Gets the pipe segments of response bodies.</summary>
    public SegmentPool Segments { get; }

    /// <summary>Gets the page buffers of streams that pool them (created when first asked for).</summary>
    public ArrayPool<byte> Pages => _pages ??= ArrayPool<byte>.Create(maxArrayLength: 4 * 1024 * 1024, maxArraysPerBucket: 1024);

    public static StreamPools For(ApiConnection api) => ByConnection.GetValue(api, static a => new StreamPools(a.Options));
}
