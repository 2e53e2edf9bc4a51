using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Firecrawl.Streaming.Benchmarks.Infrastructure;

/// <summary>
/// The input bytes one operation of a benchmark case processes: each benchmark class declares
/// <c>public static long InputBytes(BenchmarkDotNet.Parameters.ParameterInstances parameters)</c>; the inputs are
/// deterministic, so the host process computes the same sizes the benchmark processes read.
/// </summary>
public static class InputSize
{
    public static long? Of(BenchmarkCase benchmarkCase)
    {
        MethodInfo? method = benchmarkCase.Descriptor.Type.GetMethod("InputBytes", BindingFlags.Public | BindingFlags.Static);
        return method?.Invoke(null, [benchmarkCase.Parameters, benchmarkCase.Descriptor.WorkloadMethod.Name]) as long?;
    }
}

public abstract class SimpleColumn : IColumn
{
    public abstract string Id { get; }
    public abstract string ColumnName { get; }
    public abstract string Legend { get; }
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public virtual int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        Compute(summary, benchmarkCase) is double value ? Format(value) : "-";

    protected abstract double? Compute(Summary summary, BenchmarkCase benchmarkCase);

    protected virtual string Format(double value) => value.ToString("N1", CultureInfo.InvariantCulture);

    public override string ToString() => ColumnName;
}

/// <summary>Input megabytes (10^6 bytes) per second of mean operation time.</summary>
public sealed class ThroughputColumn : SimpleColumn
{
    public override string Id => "fcbench-mbps";
    public override string ColumnName => "MB/s";
    public override string Legend => "Input megabytes (10^6 bytes) processed per second (input bytes / Mean)";
    public override int PriorityInCategory => 0;

    protected override double? Compute(Summary summary, BenchmarkCase benchmarkCase)
    {
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        long? bytes = InputSize.Of(benchmarkCase);
        return meanNs is > 0 && bytes is > 0 ? bytes.Value / 1e6 / (meanNs.Value / 1e9) : null;
    }
}

/// <summary>Managed bytes allocated per operation divided by the input bytes of one operation.</summary>
public sealed class AllocatedPerInputByteColumn : SimpleColumn
{
    public override string Id => "fcbench-alloc-per-byte";
    public override string ColumnName => "Alloc B/B";
    public override string Legend => "Managed bytes allocated per operation / input bytes per operation";
    public override int PriorityInCategory => 1;

    protected override double? Compute(Summary summary, BenchmarkCase benchmarkCase)
    {
        BenchmarkReport? report = summary[benchmarkCase];
        long? allocated = report?.GcStats.GetBytesAllocatedPerOperation(benchmarkCase);
        long? bytes = InputSize.Of(benchmarkCase);
        return allocated is long a && bytes is > 0 ? (double)a / bytes.Value : null;
    }

    protected override string Format(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}

/// <summary>The benchmark process's peak resident set (VmHWM), recorded by <see cref="PeakMemory"/>.</summary>
public sealed class PeakWorkingSetColumn : SimpleColumn
{
    public override string Id => "fcbench-peak-ws";
    public override string ColumnName => "Peak WS MB";
    public override string Legend => "Peak working set (VmHWM, MiB) of the benchmark's own process over all its iterations, setup excluded";
    public override int PriorityInCategory => 2;

    protected override double? Compute(Summary summary, BenchmarkCase benchmarkCase) => PeakMemory.Read(benchmarkCase) / (1024.0 * 1024.0);

    protected override string Format(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
