using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Firecrawl.Streaming.Benchmarks.Infrastructure;

/// <summary>
/// <c>--paired</c>: a noise-robust cross-check of the parser ratios. On a shared machine whose load changes by
/// the minute, BenchmarkDotNet measures one case after another, so a burst of load can land on the baseline or on
/// the candidate. Here every round runs every variant once, back to back, in one process (after a warm-up), and
/// the ratio reported is the median over rounds of (variant time / baseline time in the same round).
/// It complements the BenchmarkDotNet tables; it does not replace them (no pilot, no outlier handling, one process).
/// </summary>
public static class Paired
{
    /// <param name="rounds">Rounds per group.</param>
    /// <param name="segmentsOnly">Only the read-size groups of the 10 MB chunk (<c>--paired N segments</c>).</param>
    public static void Run(int rounds, bool segmentsOnly = false)
    {
        foreach (ChunkKind kind in segmentsOnly ? [ChunkKind.Pages10MB] : Enum.GetValues<ChunkKind>())
        {
            byte[] body = Corpus.Get(kind);
            _ = JsonSerializer.Deserialize<BatchStatusDto>(body, DtoJson.Options);
            if (!segmentsOnly)
            {
                CompareParsers(kind, body, rounds);
            }

            foreach (PageUse use in new[] { PageUse.AllTypedFields, PageUse.RawUtf8 })
            {
                Compare($"Segment size, {kind}, {use}", body.Length, rounds,
                [
                    ("Parse, 1 MB segments", () => Parse(ChunkReading.Segmented(body, 1 << 20), use)),
                    ("Parse, 64 KB segments", () => Parse(ChunkReading.Segmented(body, 64 << 10), use)),
                    ("Parse, 4 KB segments", () => Parse(ChunkReading.Segmented(body, 4 << 10), use)),
                    ("Client: 1 MB socket reads, pumped", () => Parse(ChunkReading.Pumped(body, 1 << 20), use)),
                    ("Client: 4 KB socket reads, pumped", () => Parse(ChunkReading.Pumped(body, 4 << 10), use)),
                ]);
            }
        }
    }

    private static void CompareParsers(ChunkKind kind, byte[] body, int rounds)
    {
        const int Read = 64 * 1024;
        Compare($"Parser throughput, {kind} (64 KB reads)", body.Length, rounds,
        [
            ("JsonSerializer DTO (typical)", () => JsonSerializer.Deserialize<BatchStatusDto>(body, DtoJson.Options)!.Data!.Count),
            ("JsonSerializer DTO (typed only)", () => JsonSerializer.Deserialize<StrictBatchStatusDto>(body, DtoJson.Options)!.Data!.Count),
            ("Streaming, all typed fields", () => Parse(ChunkReading.Segmented(body, Read), PageUse.AllTypedFields)),
            ("Streaming, all typed fields, pooled", () => Parse(ChunkReading.Segmented(body, Read), PageUse.AllTypedFieldsPooled)),
            ("Streaming, markdown+metadata", () => Parse(ChunkReading.Segmented(body, Read), PageUse.MarkdownAndMetadata)),
            ("Streaming, raw UTF-8, pooled", () => Parse(ChunkReading.Segmented(body, Read), PageUse.RawUtf8)),
            ("Utf8JsonReader token scan", () => ChunkReading.ScanAsync(ChunkReading.Segmented(body, Read)).GetAwaiter().GetResult()),
        ]);
    }

    private static long Parse(System.IO.Pipelines.PipeReader reader, PageUse use) => ChunkReading.ParseAsync(reader, use).GetAwaiter().GetResult();

    private static void Compare(string title, long inputBytes, int rounds, (string Name, Func<long> Run)[] variants)
    {
        foreach ((string _, Func<long> run) in variants)
        {
            run();
            run();
        }

        var times = variants.Select(_ => new List<double>()).ToArray();
        var ratios = variants.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            var roundTimes = new double[variants.Length];
            for (int k = 0; k < variants.Length; k++)
            {
                // Rotate the order so no variant always runs right after a particular other one.
                int v = (k + round) % variants.Length;
                long start = Stopwatch.GetTimestamp();
                variants[v].Run();
                roundTimes[v] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            for (int v = 0; v < variants.Length; v++)
            {
                times[v].Add(roundTimes[v]);
                ratios[v].Add(roundTimes[v] / roundTimes[0]);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"### {title} ({rounds} rounds, baseline: {variants[0].Name})");
        Console.WriteLine();
        Console.WriteLine("| Variant | Median time | MB/s | Ratio (median) | Ratio IQR |");
        Console.WriteLine("|---|---:|---:|---:|---|");
        for (int v = 0; v < variants.Length; v++)
        {
            double median = Quantile(times[v], 0.5);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {variants[v].Name} | {median:N1} ms | {inputBytes / 1e6 / (median / 1e3):N0} | {Quantile(ratios[v], 0.5):0.00} | {Quantile(ratios[v], 0.25):0.00}-{Quantile(ratios[v], 0.75):0.00} |"));
        }
    }

    private static double Quantile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        double position = q * (sorted.Count - 1);
        int low = (int)Math.Floor(position);
        int high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }
}
