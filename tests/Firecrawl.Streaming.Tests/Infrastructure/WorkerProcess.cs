using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Firecrawl.Streaming.Tests.Infrastructure;

/// <summary>An <c>fcstream</c> process (the built tool run with <c>dotnet</c>), its output collected line by line.</summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly ConcurrentQueue<string> _lines = new();

    private WorkerProcess(int index, Process process)
    {
        Index = index;
        Process = process;
    }

    public int Index { get; }

    public Process Process { get; }

    public IEnumerable<string> Lines => _lines;

    public string Log => string.Join("\n", _lines);

    /// <summary>Starts the tool with <paramref name="arguments"/> and the Firecrawl key in its environment.</summary>
    public static WorkerProcess Start(int index, IEnumerable<string> arguments, string apiKey)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(ToolPath());
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["FIRECRAWL_API_KEY"] = apiKey;
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start a worker.");
        var worker = new WorkerProcess(index, process);
        process.ErrorDataReceived += (_, e) => worker.Append(e.Data);
        process.OutputDataReceived += (_, e) => worker.Append(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return worker;
    }

    /// <summary>The logs of several workers, for a failure message.</summary>
    public static string AllLogs(IEnumerable<WorkerProcess> workers) =>
        string.Join("\n", workers.Select(w => $"--- worker {w.Index} (exited: {w.Process.HasExited})\n{w.Log}"));

    /// <summary>The messages ready and unacknowledged on a queue of the broker.</summary>
    public static async Task<(int Ready, int Unacknowledged)> QueueStateAsync(RabbitMqFixture broker, string queue)
    {
        string table = await broker.CtlAsync("list_queues", "name", "messages_ready", "messages_unacknowledged");
        string[] row = table.Split('\n').Select(l => l.Split('\t')).Single(r => r[0] == queue);
        return (int.Parse(row[1], CultureInfo.InvariantCulture), int.Parse(row[2], CultureInfo.InvariantCulture));
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing with the workers' logs after <paramref name="deadline"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, IEnumerable<WorkerProcess> workers, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > deadline)
            {
                Assert.Fail($"Timed out waiting for {what}. Worker logs:\n{AllLogs(workers)}");
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Sends a signal (TERM, KILL, ...) to the process.</summary>
    public void Signal(string signal)
    {
        using Process kill = Process.Start("kill", [$"-{signal}", Process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit(10_000);
        }

        Process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }

    /// <summary>
    /// The tool in its own build output (src/Firecrawl.Streaming.Cli/bin/CONFIGURATION/TFM), not the copy beside the tests:
    /// the test host runs on the ASP.NET Core shared framework, so the copy here lacks assemblies the tool ships itself.
    /// </summary>
    private static string ToolPath()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = output.Name, configuration = output.Parent!.Name;
        for (DirectoryInfo? directory = output; directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "src", "Firecrawl.Streaming.Cli", "bin", configuration, framework, "fcstream.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"The tool's build output was not found above {AppContext.BaseDirectory}.");
    }
}
