using System.Globalization;
using BenchmarkDotNet.Running;
using Firecrawl.Streaming.Benchmarks.Infrastructure;

namespace Firecrawl.Streaming.Benchmarks;

public static class Program
{
    /// <summary>
    /// <c>dotnet run -c Release --project bench/Firecrawl.Streaming.Benchmarks -- --filter '*' [--quick]</c>.
    /// Every other argument is BenchmarkDotNet's (<c>--filter</c>, <c>--list flat</c>, <c>--exporters</c> ...).
    /// </summary>
    public static async Task<int> Main(string[] args)
    {
        var arguments = args.ToList();
        int child = arguments.IndexOf(JobSizeMemory.ChildSwitch);
        if (child >= 0)
        {
            // A process of --job-size-memory: the fake server runs in the parent.
            return await JobSizeMemory.ChildAsync(int.Parse(arguments[child + 1], CultureInfo.InvariantCulture));
        }

        if (arguments.Remove("--quick"))
        {
            Environment.SetEnvironmentVariable(BenchMode.QuickVariable, "1");
        }

        PeakMemory.Clear();
        Corpus.Prepare();

        // The loopback benchmarks talk to a fake Firecrawl server that lives in this (host) process, so the
        // benchmark processes' working sets are the clients' alone.
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        if (arguments.Remove("--breakdown"))
        {
            Breakdown.Run(arguments.Contains("SinglePage30MB") ? ChunkKind.SinglePage30MB : ChunkKind.Pages10MB, arguments.Contains("segments"));
            return 0;
        }

        int paired = arguments.IndexOf("--paired");
        if (paired >= 0)
        {
            Paired.Run(paired + 1 < arguments.Count && int.TryParse(arguments[paired + 1], out int rounds) ? rounds : 25, arguments.Contains("segments"));
            return 0;
        }

        if (arguments.Remove("--paired-pipeline"))
        {
            // Compiled only once the pipeline is in the tree.
            Type? pairedPipeline = typeof(Program).Assembly.GetType("Firecrawl.Streaming.Benchmarks.Pipeline.PipelinePaired");
            if (pairedPipeline is null)
            {
                Console.Error.WriteLine("The pipeline is not in this tree: its benchmarks are not compiled.");
                return 2;
            }

            pairedPipeline.GetMethod("Run")!.Invoke(null, [6]);
            return 0;
        }

        int jobSizeMemory = arguments.IndexOf("--job-size-memory");
        if (jobSizeMemory >= 0)
        {
            return JobSizeMemory.Run(jobSizeMemory + 1 < arguments.Count && int.TryParse(arguments[jobSizeMemory + 1], out int memoryRounds) ? memoryRounds : 5);
        }

        if (arguments.Remove("--check"))
        {
            return await SelfCheck.RunAsync();
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run([.. arguments]);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
