using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;
using Perfolizer.Horology;

namespace Firecrawl.Streaming.Benchmarks.Infrastructure;

/// <summary>The run mode, chosen by <c>--quick</c> on the command line (passed to benchmark processes through the environment).</summary>
public static class BenchMode
{
    public const string QuickVariable = "FCBENCH_QUICK";

    public static bool Quick => Environment.GetEnvironmentVariable(QuickVariable) == "1";
}

/// <summary>Shared settings: memory diagnoser, declared order, ratio columns, MB/s and allocated bytes per input byte.</summary>
public abstract class BenchConfigBase : ManualConfig
{
    protected BenchConfigBase(Job job)
    {
        AddJob(job);
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new ThroughputColumn(), new AllocatedPerInputByteColumn());
        WithOrderer(new DefaultOrderer(SummaryOrderPolicy.Declared, MethodOrderPolicy.Declared));
        WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Value));
        WithOption(ConfigOptions.JoinSummary, false);
    }
}

/// <summary>Parser benchmarks: tens of milliseconds per operation, many invocations per iteration.</summary>
public sealed class ParserConfig : BenchConfigBase
{
    public ParserConfig()
        : base(BenchMode.Quick
            ? Job.ShortRun.WithIterationTime(TimeInterval.FromMilliseconds(250)).WithId("Quick")
            : Job.Default.WithMinIterationCount(12).WithMaxIterationCount(30).WithId("Full"))
    {
    }
}

/// <summary>
/// Loopback benchmarks: seconds per operation, so one invocation per iteration and no pilot stage
/// (<see cref="RunStrategy.Monitoring"/>); every case runs in a process of its own, which is what makes its peak
/// working set its own.
/// </summary>
public sealed class LoopbackConfig : BenchConfigBase
{
    public LoopbackConfig()
        : base(BenchMode.Quick
            ? Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(2).WithId("Quick")
            : Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(8).WithId("Full"))
    {
        AddColumn(new PeakWorkingSetColumn());
    }
}
