using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using System.Text.Json;

namespace Firecrawl.Streaming.Benchmarks.Infrastructure;

/// <summary>
/// <c>--breakdown</c>: a rough, single-process cost breakdown of the 10 MB chunk (median of repeated runs):
/// parsing alone, then the decoding of each typed field over pages parsed beforehand. A profiling aid for
/// deciding what to optimize, not a measurement to report (the BenchmarkDotNet classes are).
/// </summary>
public static class Breakdown
{
    public static int Run(ChunkKind kind, bool segmentsOnly)
    {
        byte[] body = Corpus.Get(kind);
        foreach (int size in new[] { 4096, 1 << 20 })
        {
            Measure($"pumped {size,8}: pump and drain only", () => DrainAsync(ChunkReading.Pumped(body, size)).GetAwaiter().GetResult());
            foreach (PageUse use in new[] { PageUse.RawUtf8, PageUse.AllTypedFields })
            {
                ChunkReading.ParseTicks = 0;
                ChunkReading.Reads = 0;
                ChunkReading.BytesHanded = 0;
                ChunkReading.BytesHandedMultiSegment = 0;
                Measure($"pumped {size,8}: parse {use}", () => ChunkReading.ParseAsync(ChunkReading.Pumped(body, size), use).GetAwaiter().GetResult());
                Console.WriteLine($"  in Parse (per run): {Stopwatch.GetElapsedTime(0, ChunkReading.ParseTicks).TotalMilliseconds / 25:N2} ms over {ChunkReading.Reads / 25} reads, "
                    + $"{ChunkReading.BytesHanded / 25 / (double)body.Length:0.00} x the body handed, {ChunkReading.BytesHandedMultiSegment / (double)Math.Max(1, ChunkReading.BytesHanded):P0} of it multi-segment");
            }
        }

        foreach (int size in new[] { 4096, 65536, 1 << 20 })
        {
            Measure($"segments {size,8}: pipe reads only", () => DrainAsync(ChunkReading.Segmented(body, size)).GetAwaiter().GetResult());
            Measure($"segments {size,8}: scan", () => ChunkReading.ScanAsync(ChunkReading.Segmented(body, size)).GetAwaiter().GetResult());
            ChunkReading.ParseTicks = 0;
            ChunkReading.Reads = 0;
            Measure($"segments {size,8}: parse raw", () => ChunkReading.ParseAsync(ChunkReading.Segmented(body, size), PageUse.RawUtf8).GetAwaiter().GetResult());
            Measure($"segments {size,8}: parse all fields", () => ChunkReading.ParseAsync(ChunkReading.Segmented(body, size), PageUse.AllTypedFields).GetAwaiter().GetResult());
            Console.WriteLine($"  in Parse (raw, per run): {System.Diagnostics.Stopwatch.GetElapsedTime(0, ChunkReading.ParseTicks).TotalMilliseconds / 25:N2} ms over {ChunkReading.Reads / 25} reads");
            Console.WriteLine($"  bytes handed to the reader: {ChunkReading.LastBytesScanned / (double)body.Length:0.00} x the body");
        }

        if (segmentsOnly)
        {
            return 0;
        }

        Measure("JsonSerializer typical DTO", () => JsonSerializer.Deserialize<BatchStatusDto>(body, DtoJson.Options)!.Data!.Count);
        Measure("JsonSerializer strict DTO", () => JsonSerializer.Deserialize<StrictBatchStatusDto>(body, DtoJson.Options)!.Data!.Count);
        Measure("token scan (one span)", () =>
        {
            var reader = new Utf8JsonReader(body);
            long n = 0;
            while (reader.Read())
            {
                n++;
            }

            return n;
        });
        Measure("parse, owned buffers, no decoding", () => Parse(body, false).Count);
        Measure("parse, pooled buffers, disposed", () =>
        {
            List<ScrapedPage> pages = Parse(body, true);
            pages.ForEach(p => p.Dispose());
            return pages.Count;
        });

        List<ScrapedPage> parsed = Parse(body, false);
        (string Name, Func<ScrapedPage, long> Read)[] fields =
        [
            ("decode markdown", p => p.Markdown?.Length ?? 0),
            ("decode html", p => p.Html?.Length ?? 0),
            ("decode screenshot", p => p.Screenshot?.Length ?? 0),
            ("decode links", p => p.Links.Count),
            ("decode typed metadata", p => ChunkReading.ReadAllTyped(p) - (p.Markdown?.Length ?? 0)),
        ];
        foreach ((string name, Func<ScrapedPage, long> read) in fields)
        {
            Measure(name, () =>
            {
                // Fresh pages each time: the accessors cache what they decoded.
                List<ScrapedPage> pages = Parse(body, false);
                long sum = 0;
                var watch = Stopwatch.StartNew();
                foreach (ScrapedPage page in pages)
                {
                    sum += read(page);
                }

                return watch.Elapsed.Ticks;
            }, selfTimed: true);
        }

        // The markdown values alone, decoded three ways, nothing retained.
        byte[][] values = [.. parsed.Select(p => p.Slice(p.Layout[PageField.Markdown]).ToArray())];
        Measure("markdown: JsonValueDecoder.GetString", () => values.Sum(v => (long)JsonValueDecoder.GetString(v)!.Length));
        Measure("markdown: Utf8JsonReader.GetString", () => values.Sum(v =>
        {
            var reader = new Utf8JsonReader(v);
            reader.Read();
            return (long)reader.GetString()!.Length;
        }));
        Measure("markdown: UTF8.GetString, no unescape", () => values.Sum(v => (long)System.Text.Encoding.UTF8.GetString(v).Length));
        Measure("markdown: IndexOf backslash loop only", () => values.Sum(v =>
        {
            long n = 0;
            ReadOnlySpan<byte> span = v;
            int at;
            while ((at = span.IndexOf((byte)'\\')) >= 0)
            {
                n++;
                span = span[(at + 2)..];
            }

            return n;
        }));
        Measure("markdown: unescape only (copy runs)", () => values.Sum(v =>
        {
            byte[] output = ArrayPool<byte>.Shared.Rent(v.Length);
            ReadOnlySpan<byte> span = v.AsSpan(1, v.Length - 2);
            int written = 0;
            int at;
            while ((at = span.IndexOf((byte)'\\')) >= 0)
            {
                span[..at].CopyTo(output.AsSpan(written));
                written += at;
                output[written++] = span[at + 1];
                span = span[(at + 2)..];
            }

            span.CopyTo(output.AsSpan(written));
            written += span.Length;
            ArrayPool<byte>.Shared.Return(output);
            return (long)written;
        }));
        var strict = new System.Text.UTF8Encoding(false, true);
        Measure("markdown: strict UTF8.GetString", () => values.Sum(v => (long)strict.GetString(v).Length));
        Measure("markdown: Utf8.ToUtf16 + new string", () => values.Sum(v =>
        {
            char[] chars = ArrayPool<char>.Shared.Rent(v.Length);
            System.Text.Unicode.Utf8.ToUtf16(v, chars, out _, out int written, replaceInvalidSequences: false);
            string text = new(chars, 0, written);
            ArrayPool<char>.Shared.Return(chars);
            return (long)text.Length;
        }));
        Measure("markdown: vector unescape only", () => values.Sum(v =>
        {
            byte[] output = ArrayPool<byte>.Shared.Rent(v.Length + 64);
            int written = VectorUnescape(v.AsSpan(1, v.Length - 2), output);
            ArrayPool<byte>.Shared.Return(output);
            return (long)written;
        }));
        Console.WriteLine($"markdown bytes {values.Sum(v => (long)v.Length):N0}, backslashes {values.Sum(v => (long)v.Count((byte)'\\')):N0}, non-ASCII bytes {values.Sum(v => (long)v.Count(b => b >= 0x80)):N0}");
        return parsed.Count;
    }

    private static int VectorUnescape(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int i = 0;
        int w = 0;
        var backslash = System.Runtime.Intrinsics.Vector256.Create((byte)'\\');
        while (i + 32 <= source.Length)
        {
            var vector = System.Runtime.Intrinsics.Vector256.Create(source[i..]);
            vector.CopyTo(destination[w..]);
            uint mask = System.Runtime.Intrinsics.Vector256.Equals(vector, backslash).ExtractMostSignificantBits();
            if (mask == 0)
            {
                i += 32;
                w += 32;
                continue;
            }

            int k = System.Numerics.BitOperations.TrailingZeroCount(mask);
            i += k;
            w += k;
            if (i + 1 >= source.Length)
            {
                return -1;
            }

            destination[w++] = source[i + 1];
            i += 2;
        }

        while (i < source.Length)
        {
            byte b = source[i];
            if (b == (byte)'\\')
            {
                destination[w++] = source[i + 1];
                i += 2;
            }
            else
            {
                destination[w++] = b;
                i++;
            }
        }

        return w;
    }

    private static async Task<long> DrainAsync(System.IO.Pipelines.PipeReader reader)
    {
        long total = 0;
        while (true)
        {
            System.IO.Pipelines.ReadResult result = await reader.ReadAsync();
            total += result.Buffer.Length;
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await reader.CompleteAsync();
        return total;
    }

    private static List<ScrapedPage> Parse(byte[] body, bool pool)
    {
        var parser = new ChunkParser(JobKind.BatchScrape, "job", 0, PageFields.All, pool, ChunkReading.MaxPageBytes);
        var pages = new List<ScrapedPage>();
        parser.Parse(new ReadOnlySequence<byte>(body), true, pages, out _);
        return pages;
    }

    private static void Measure(string name, Func<long> action, bool selfTimed = false)
    {
        var times = new List<double>();
        for (int i = 0; i < 25; i++)
        {
            var watch = Stopwatch.StartNew();
            long result = action();
            double ms = selfTimed ? TimeSpan.FromTicks(result).TotalMilliseconds : watch.Elapsed.TotalMilliseconds;
            if (i >= 5)
            {
                times.Add(ms);
            }
        }

        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-40} median {times[times.Count / 2],8:N2} ms   min {times[0],8:N2} ms"));
    }
}
