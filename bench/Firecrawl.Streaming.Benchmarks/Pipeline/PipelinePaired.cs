using System.Diagnostics;
using System.Globalization;

namespace Firecrawl.Streaming.Benchmarks.Pipeline;

/// <summary>
/// <c>--paired-pipeline</c>: the null-sink and JSON Lines runs of <see cref="PipelineBenchmarks"/>, interleaved round by
/// round in one process, the ratio being the median over rounds of the two rates measured back to back (see
/// <see cref="Infrastructure.Paired"/> for why).
/// </summary>
public static class PipelinePaired
{
    public static void Run(int rounds)
    {
        using var fixture = new PipelineFixture();
        double megabytes = PipelineFixture.JobBytes / 1e6;
        Console.WriteLine("| Channel capacity | Parallelism | Batch size | Null sink MB/s (median) | JSON Lines MB/s (median) | JSONL / null rate (median) | IQR |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---|");
        foreach ((int capacity, int parallelism, int batch) in new[] { (16, 1, 100), (256, 1, 100), (4096, 1, 100), (256, 4, 100), (256, 1, 1000) })
        {
            fixture.RunAsync(new NullPageSink(), capacity, parallelism, batch).GetAwaiter().GetResult();
            fixture.RunAsync(fixture.NewJsonLinesSink(), capacity, parallelism, batch).GetAwaiter().GetResult();
            var nulls = new List<double>();
            var lines = new List<double>();
            var ratios = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                double a = Time(() => fixture.RunAsync(new NullPageSink(), capacity, parallelism, batch));
                double b = Time(() => fixture.RunAsync(fixture.NewJsonLinesSink(), capacity, parallelism, batch));
                nulls.Add(megabytes / a);
                lines.Add(megabytes / b);
                ratios.Add(a / b);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {capacity} | {parallelism} | {batch} | {Median(nulls):N0} | {Median(lines):N0} | {Median(ratios):0.00} | {Quantile(ratios, 0.25):0.00}-{Quantile(ratios, 0.75):0.00} |"));
        }
    }

    private static double Time(Func<Task<long>> run)
    {
        long start = Stopwatch.GetTimestamp();
        run().GetAwaiter().GetResult();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static double Median(List<double> values) => Quantile(values, 0.5);

    private static double Quantile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        double position = q * (sorted.Count - 1);
        int low = (int)Math.Floor(position);
        int high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }
}
