using System.Buffers;

namespace Firecrawl.Streaming.Tests.Infrastructure;

/// <summary>
/// Feeds a body to a <see cref="ChunkParser"/> the way a pipe does, but with segment boundaries the
/// test chooses: each read adds the next segment(s), and the parser sees what it has not consumed as a
/// multi-segment sequence split exactly where the segments were.
/// </summary>
internal static class ParserDriver
{
    public sealed record Result(List<ScrapedPage> Pages, ChunkEnvelope Envelope, int Reads, long BytesScanned, List<int> PagesPerRead);

    public static Result Parse(
        byte[] body,
        IReadOnlyList<int> segmentSizes,
        PageFields fields = PageFields.All,
        int maxPageBytes = 256 * 1024 * 1024,
        bool pool = false,
        long basePosition = 0,
        int segmentsPerRead = 1,
        int pageBytesPerCall = 0)
    {
        var segments = new List<ReadOnlyMemory<byte>>();
        var starts = new List<long>();
        int offset = 0;
        for (int i = 0; offset < body.Length; i++)
        {
            int size = Math.Min(segmentSizes[i % segmentSizes.Count], body.Length - offset);
            segments.Add(body.AsMemory(offset, size));
            starts.Add(offset);
            offset += size;
        }

        var parser = new ChunkParser(JobKind.BatchScrape, "job", basePosition, fields, pool, maxPageBytes) { PageBytesPerCall = pageBytesPerCall };
        var pages = new List<ScrapedPage>();
        var perRead = new List<int>();
        long consumedAbs = 0;   // bytes released by the parser
        int nextSegment = 0;    // first segment not yet delivered
        long delivered = 0;     // bytes delivered so far
        long minimum = 0;
        int reads = 0;
        while (true)
        {
            // Deliver at least segmentsPerRead new segments (a pump that ran ahead of the parser), and as many as the
            // parser asked for.
            // A parser that paused is called again on what it has not read yet, before anything new arrives.
            if (nextSegment < segments.Count && !parser.Paused)
            {
                int count = 0;
                do
                {
                    delivered += segments[nextSegment++].Length;
                    count++;
                }
                while (nextSegment < segments.Count && (count < segmentsPerRead || delivered - consumedAbs < minimum));
            }

            bool final = nextSegment == segments.Count;
            ReadOnlySequence<byte> buffer = Build(segments, starts, nextSegment, consumedAbs);
            reads++;
            int before = pages.Count;
            minimum = parser.Parse(buffer, final, pages, out SequencePosition consumed);
            perRead.Add(pages.Count - before);
            consumedAbs += buffer.Slice(buffer.Start, consumed).Length;
            if (final && !parser.Paused)
            {
                return new Result(pages, parser.Envelope, reads, parser.BytesScanned, perRead);
            }
        }
    }

    /// <summary>Every byte from <paramref name="from"/> up to the end of the delivered segments, keeping their boundaries.</summary>
    private static ReadOnlySequence<byte> Build(List<ReadOnlyMemory<byte>> segments, List<long> starts, int deliveredCount, long from)
    {
        // Binary search for the segment holding 'from', so each read costs only what it presents.
        int index = starts.BinarySearch(from);
        if (index < 0)
        {
            index = ~index - 1;
        }

        Segment? first = null;
        Segment? last = null;
        for (int i = Math.Max(index, 0); i < deliveredCount; i++)
        {
            ReadOnlyMemory<byte> memory = segments[i];
            ReadOnlyMemory<byte> part = from > starts[i] ? memory[(int)(from - starts[i])..] : memory;
            if (part.IsEmpty)
            {
                continue;
            }

            if (first is null)
            {
                first = last = new Segment(part, 0);
            }
            else
            {
                last = last!.Append(part);
            }
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    /// <summary>Splits <paramref name="length"/> bytes into random segment sizes between 1 and <paramref name="max"/>.</summary>
    public static int[] RandomSegmentation(Random random, int max) =>
        Enumerable.Range(0, 64).Select(_ => random.Next(1, max + 1)).ToArray();

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
