using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;

namespace Firecrawl.Streaming.Benchmarks.Infrastructure;

/// <summary>
/// Peak working set per benchmark case. BenchmarkDotNet runs each case (one method with one set of
/// parameters) in a process of its own; that process resets the kernel's peak-RSS counter when its global
/// setup is done (<c>/proc/self/clear_refs</c>), records <see cref="Process.PeakWorkingSet64"/> (Linux: VmHWM)
/// in its global cleanup, and writes it to a file the host's summary column reads.
/// </summary>
public static class PeakMemory
{
    public const string DirectoryVariable = "FCBENCH_PEAK_DIR";

    private static string Directory => Environment.GetEnvironmentVariable(DirectoryVariable)
        ?? Path.Combine(Path.GetTempPath(), "fcbench-peak");

    /// <summary>Starts the measured span: forgets the peak reached so far (setup, generated input).</summary>
    public static void Reset()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not allowed: the peak then includes the setup.
        }
    }

    /// <summary>Records the peak for the case that ran in this process.</summary>
    public static void Save(string type, string method, params (string Name, object Value)[] parameters)
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(Path.Combine(Directory, Key(type, method, parameters.Select(p => (p.Name, Convert.ToString(p.Value, CultureInfo.InvariantCulture) ?? "")))),
            process.PeakWorkingSet64.ToString(CultureInfo.InvariantCulture));
    }

    public static long? Read(BenchmarkCase benchmarkCase)
    {
        string key = Key(
            benchmarkCase.Descriptor.Type.Name,
            benchmarkCase.Descriptor.WorkloadMethod.Name,
            benchmarkCase.Parameters.Items.Select(p => (p.Name, Convert.ToString(p.Value, CultureInfo.InvariantCulture) ?? "")));
        string path = Path.Combine(Directory, key);
        return File.Exists(path) && long.TryParse(File.ReadAllText(path), NumberStyles.Integer, CultureInfo.InvariantCulture, out long peak) ? peak : null;
    }

    /// <summary>Forgets every recorded peak (at the start of a run, so a stale value is never shown).</summary>
    public static void Clear()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private static string Key(string type, string method, IEnumerable<(string Name, string Value)> parameters) =>
        $"{type}.{method}({string.Join(",", parameters.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Name + "=" + p.Value))}).txt";
}
