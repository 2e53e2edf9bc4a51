using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Firecrawl.Streaming.Benchmarks.Infrastructure;

/// <summary>
/// <c>--check</c>: builds the inputs, runs every parser variant once on each and checks they agree on the
/// page count with <see cref="JsonSerializer"/> (so every benchmark does the same work), printing rough timings.
/// </summary>
public static class SelfCheck
{
    /// <summary>Every typed string the streaming pages decode equals what <see cref="JsonSerializer"/> read.</summary>
    private static void CheckSameText(byte[] body, BatchStatusDto dto)
    {
        var parser = new ChunkParser(JobKind.BatchScrape, "job", 0, PageFields.All, false, ChunkReading.MaxPageBytes);
        var pages = new List<ScrapedPage>();
        parser.Parse(new System.Buffers.ReadOnlySequence<byte>(body), true, pages, out _);
        for (int i = 0; i < pages.Count; i++)
        {
            DocumentDto expected = dto.Data![i];
            ScrapedPage page = pages[i];
            bool same = page.Markdown == expected.Markdown && page.Html == expected.Html && page.Screenshot == expected.Screenshot
                && page.Links.SequenceEqual(expected.Links ?? []) && page.Metadata.ScrapeId == expected.Metadata!["scrapeId"].GetString()
                && page.Metadata.Description.First == expected.Metadata["description"].GetString();
            foreach ((PageFields field, string? text) in new[] { (PageFields.Markdown, expected.Markdown), (PageFields.Html, expected.Html), (PageFields.Screenshot, expected.Screenshot) })
            {
                var utf8 = new System.Buffers.ArrayBufferWriter<byte>();
                same &= page.TryWriteUtf8(field, utf8) == text is not null
                    && utf8.WrittenSpan.SequenceEqual(System.Text.Encoding.UTF8.GetBytes(text ?? string.Empty));
            }

            if (!same)
            {
                throw new InvalidOperationException($"page {i} decodes differently from JsonSerializer");
            }
        }

        Console.WriteLine($"  {pages.Count} pages decode exactly as JsonSerializer reads them (strings, and text fields as UTF-8)");
    }

    /// <summary>Edge cases of the decoder's escape handling, against <see cref="Utf8JsonReader.GetString"/> (value or exception type).</summary>
    private static void CheckEscapes()
    {
        string[] cases =
        [
            "\"plain\"", "\"a\\nb\"", "\"\\\"q\\\"\"", "\"\\ud83d\\ude80 rocket\"", "\"lone \\ud800 high\"", "\"lone \\udc00 low\"",
            "\"\\ud800\\u0041\"", "\"\\u0000\\u001f\\u00e9\\u20ac\\uFFFF\"", "\"tab\\there/\\/\\b\\f\\r\"",
            "\"" + new string('x', 40) + "\\n" + new string('y', 70) + "\\\"" + new string('z', 33) + "\"",
            "\"" + string.Concat(Enumerable.Repeat("日本語 \\n", 30)) + "\"",
        ];
        var inputs = cases.Select(System.Text.Encoding.UTF8.GetBytes).ToList();
        inputs.Add([(byte)'"', (byte)'a', (byte)'\\', (byte)'n', 0xFF, (byte)'b', (byte)'"']); // invalid UTF-8 with an escape
        foreach (byte[] input in inputs)
        {
            string expected;
            try
            {
                var reader = new Utf8JsonReader(input);
                reader.Read();
                expected = "value:" + reader.GetString();
            }
            catch (Exception e)
            {
                expected = "throws:" + e.GetType().Name;
            }

            string actual;
            try
            {
                actual = "value:" + JsonValueDecoder.GetString(input);
            }
            catch (Exception e)
            {
                actual = "throws:" + e.GetType().Name;
            }

            // Text the reader refuses to transcode (a lone surrogate escape, invalid UTF-8) decodes with U+FFFD in its
            // place, by design (JavaScript's JSON encoder writes lone surrogates for broken text).
            bool lossy = expected == "throws:InvalidOperationException" && actual.StartsWith("value:", StringComparison.Ordinal) && actual.Contains('\ufffd');
            if (actual != expected && !lossy)
            {
                throw new InvalidOperationException($"decoder differs on {System.Text.Encoding.UTF8.GetString(input)}: {actual} instead of {expected}");
            }

            // The UTF-8 route writes exactly the string's UTF-8.
            var utf8 = new System.Buffers.ArrayBufferWriter<byte>();
            if (actual.StartsWith("value:", StringComparison.Ordinal)
                && (!JsonValueDecoder.TryWriteUtf8(input, utf8) || !utf8.WrittenSpan.SequenceEqual(System.Text.Encoding.UTF8.GetBytes(actual["value:".Length..]))))
            {
                throw new InvalidOperationException($"UTF-8 of {System.Text.Encoding.UTF8.GetString(input)} differs from the string's");
            }
        }

        Console.WriteLine($"{inputs.Count} escape edge cases decode as Utf8JsonReader.GetString does (U+FFFD where it refuses), and as UTF-8 the same");
    }

    public static async Task<int> RunAsync()
    {
        CheckEscapes();
        foreach (ChunkKind kind in Enum.GetValues<ChunkKind>())
        {
            var watch = Stopwatch.StartNew();
            byte[] body = Corpus.Get(kind);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind}: {body.Length:N0} bytes, generated in {watch.ElapsedMilliseconds} ms"));
            BatchStatusDto dto = JsonSerializer.Deserialize<BatchStatusDto>(body, DtoJson.Options)!;
            int expected = dto.Data!.Count;
            CheckSameText(body, dto);
            foreach (PageUse use in Enum.GetValues<PageUse>())
            {
                foreach (int segment in new[] { 0, 4096, 65536, 1 << 20 })
                {
                    watch.Restart();
                    var reader = segment == 0 ? ChunkReading.Whole(body) : ChunkReading.Segmented(body, segment);
                    var parser = new ChunkParser(JobKind.BatchScrape, "job", 0, ChunkReading.FieldsFor(use), ChunkReading.PoolFor(use), ChunkReading.MaxPageBytes);
                    long checksum = await ChunkReading.ParseAsync(reader, use);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {use,-22} segments {(segment == 0 ? "whole" : segment.ToString(CultureInfo.InvariantCulture)),7}: checksum {checksum}, {watch.Elapsed.TotalMilliseconds:N1} ms"));
                }
            }

            watch.Restart();
            long tokens = await ChunkReading.ScanAsync(ChunkReading.Whole(body));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  scan: {tokens} tokens, {watch.Elapsed.TotalMilliseconds:N1} ms; JsonSerializer: {expected} pages"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"job pages: 100 MB {Corpus.JobPageCount(100)}, 200 MB {Corpus.JobPageCount(200)} ({Corpus.JobBytes(Corpus.JobPageCount(200)):N0} bytes), 500 MB {Corpus.JobPageCount(500)}"));
        using var clients = new LoopbackClients();
        var sw = Stopwatch.StartNew();
        long naive = await clients.NaiveAsync(LoopbackServer.JobId(100, 0));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"naive 100 MB: {naive} in {sw.ElapsedMilliseconds} ms"));
        sw.Restart();
        long streaming = await clients.StreamingAsync(LoopbackServer.JobId(100, 0));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"streaming 100 MB: {streaming} in {sw.ElapsedMilliseconds} ms"));
        return 0;
    }
}
