using System.Diagnostics;
using System.Globalization;
using System.Runtime;

namespace Firecrawl.Streaming.Benchmarks.Infrastructure;

/// <summary>
/// <c>--job-size-memory [rounds]</c>: is the streaming client's memory flat in the job's size? Every round streams the
/// 100, 200 and 500 MB loopback jobs at default settings (every typed field of every page read, then dropped), each in
/// a fresh child process (the fake server stays in this one), in a rotated order, with workstation and with server GC.
/// A child forces a full compacting collection and resets its peak resident set (<c>/proc/self/clear_refs</c>) before
/// it starts, samples the GC heap every 2 ms while it runs, and reports its peak working set (VmHWM), the peak GC heap
/// (live objects and garbage not collected yet), the peak heap left after a collection (what was live, plus
/// fragmentation), and what the client still holds after the stream (its pools of body segments).
/// </summary>
public static class JobSizeMemory
{
    public const string ChildSwitch = "--job-size-memory-child";

    private static readonly int[] Sizes = [100, 200, 500];

    public static int Run(int rounds)
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        string? assembly = self.EndsWith("dotnet", StringComparison.Ordinal) ? typeof(JobSizeMemory).Assembly.Location : null;
        Console.WriteLine($"# job-size memory: {rounds} rounds, load average {LoadAverage()} at start");
        foreach (bool server in new[] { false, true })
        {
            var results = Sizes.ToDictionary(s => s, _ => new List<Sample>());
            for (int round = 0; round < rounds; round++)
            {
                for (int i = 0; i < Sizes.Length; i++)
                {
                    int size = Sizes[(i + round) % Sizes.Length];
                    Sample sample = RunChild(self, assembly, size, server);
                    results[size].Add(sample);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {(server ? "server" : "workstation")} GC, round {round + 1}, {size} MB: peak WS {sample.PeakWorkingSet / 1048576.0:F1} MiB, peak GC heap {sample.PeakHeap / 1048576.0:F1} MiB, after a GC {sample.PeakAfterGc / 1048576.0:F1} MiB, held after {sample.Held / 1048576.0:F1} MiB, {sample.Pages} pages in {sample.Seconds:F2} s (load {LoadAverage()})"));
                }
            }

            Console.WriteLine();
            Console.WriteLine($"| {(server ? "Server" : "Workstation")} GC | Peak WS, median (min–max) | vs 100 MB | Peak GC heap, median (min–max) | vs 100 MB | Peak heap after a GC | vs 100 MB | Client's pools after |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            double ws100 = Median(results[100].Select(s => (double)s.PeakWorkingSet));
            double heap100 = Median(results[100].Select(s => (double)s.PeakHeap));
            double live100 = Median(results[100].Select(s => (double)s.PeakAfterGc));
            foreach (int size in Sizes)
            {
                List<Sample> samples = results[size];
                double ws = Median(samples.Select(s => (double)s.PeakWorkingSet));
                double heap = Median(samples.Select(s => (double)s.PeakHeap));
                double live = Median(samples.Select(s => (double)s.PeakAfterGc));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {size} MB job | {ws / 1048576:F0} MiB ({samples.Min(s => s.PeakWorkingSet) / 1048576.0:F0}–{samples.Max(s => s.PeakWorkingSet) / 1048576.0:F0}) | {ws / ws100:F2} | {heap / 1048576:F0} MiB ({samples.Min(s => s.PeakHeap) / 1048576.0:F0}–{samples.Max(s => s.PeakHeap) / 1048576.0:F0}) | {heap / heap100:F2} | {live / 1048576:F0} MiB | {live / live100:F2} | {Median(samples.Select(s => (double)s.Held)) / 1048576:F0} MiB |"));
            }

            Console.WriteLine();
        }

        return 0;
    }

    /// <summary>In the child: one job, measured.</summary>
    public static async Task<int> ChildAsync(int megabytes)
    {
        string jobId = LoopbackServer.JobId(megabytes, 0);
        using var client = new FirecrawlJobClient(new FirecrawlJobClientOptions { BaseAddress = LoopbackServer.Address, ApiKey = LoopbackServer.ApiKey });

        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        PeakMemory.Reset();

        long peakHeap = 0;
        long peakAfterGc = 0;
        using var done = new CancellationTokenSource();
        var sampler = new Thread(() =>
        {
            while (!done.IsCancellationRequested)
            {
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: false));
                peakAfterGc = Math.Max(peakAfterGc, GC.GetGCMemoryInfo().HeapSizeBytes);
                Thread.Sleep(2);
            }
        }) { IsBackground = true };
        sampler.Start();

        var clock = Stopwatch.StartNew();
        JobPages stream = client.StreamBatchScrapeAsync(jobId);
        long pages = 0;
        await foreach (ScrapedPage page in stream.ConfigureAwait(false))
        {
            ChunkReading.ReadAllTyped(page);
            pages++;
        }

        clock.Stop();
        done.Cancel();
        sampler.Join();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        long peakWorkingSet = process.PeakWorkingSet64;

        // What the client still holds once the stream is done: its pools (segments kept for the next stream).
        long held = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(stream);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT {peakWorkingSet} {peakHeap} {held} {pages} {clock.Elapsed.TotalSeconds:F3} {GCSettings.IsServerGC} {peakAfterGc}"));
        return 0;
    }

    private static Sample RunChild(string self, string? assembly, int megabytes, bool serverGc)
    {
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (assembly is not null)
        {
            start.ArgumentList.Add(assembly);
        }

        start.ArgumentList.Add(ChildSwitch);
        start.ArgumentList.Add(megabytes.ToString(CultureInfo.InvariantCulture));
        start.Environment["DOTNET_gcServer"] = serverGc ? "1" : "0";
        using Process child = Process.Start(start) ?? throw new InvalidOperationException("the child did not start");
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        string line = output.Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"the child reported nothing (exit {child.ExitCode}): {output}");
        string[] parts = line.Split(' ');
        if (bool.Parse(parts[6]) != serverGc)
        {
            throw new InvalidOperationException("the child did not run the GC asked for");
        }

        return new Sample(
            long.Parse(parts[1], CultureInfo.InvariantCulture),
            long.Parse(parts[2], CultureInfo.InvariantCulture),
            long.Parse(parts[3], CultureInfo.InvariantCulture),
            long.Parse(parts[4], CultureInfo.InvariantCulture),
            double.Parse(parts[5], CultureInfo.InvariantCulture),
            long.Parse(parts[7], CultureInfo.InvariantCulture));
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private readonly record struct Sample(long PeakWorkingSet, long PeakHeap, long Held, long Pages, double Seconds, long PeakAfterGc);
}
