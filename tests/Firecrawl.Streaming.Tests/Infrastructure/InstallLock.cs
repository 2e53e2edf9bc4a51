using System.Diagnostics;

namespace Firecrawl.Streaming.Tests.Infrastructure;

/// <summary>
/// A cross-process lock held while a test fixture installs a service, so that test processes started in parallel
/// (several test projects, an IDE and a terminal) do not run the same install twice or read a half-written one.
/// </summary>
/// <remarks>On .NET, <see cref="FileShare.None"/> takes an exclusive advisory lock (flock on Unix) that the OS drops
/// when the holder exits, so a crashed installer never leaves the lock taken.</remarks>
internal static class InstallLock
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(10);

    /// <summary>Waits until <paramref name="path"/> can be opened exclusively and returns the open handle (the lock).</summary>
    public static async Task<IDisposable> AcquireAsync(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (clock.Elapsed < s_timeout)
            {
                await Task.Delay(250);
            }
        }
    }

    /// <summary>Runs a program to completion and returns its exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> arguments,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? s_timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{program} {string.Join(' ', start.ArgumentList)}` did not finish within {(timeout ?? s_timeout).TotalSeconds:0} s.");
        }

        return (process.ExitCode, (await output) + (await error));
    }
}
