using System.Diagnostics;

namespace Firecrawl.Streaming.Tests.Infrastructure;

/// <summary>Installing Debian's <c>rabbitmq-server</c> when it is missing, without letting the package start its own service.</summary>
public sealed partial class RabbitMqNode
{
    private const string PolicyFile = "/usr/sbin/policy-rc.d";

    private static async Task EnsureInstalledAsync(Action<string> log)
    {
        if (File.Exists(ServerScript))
        {
            return;
        }

        if (!LocalMachine.IsRoot)
        {
            throw new InvalidOperationException(
                $"RabbitMQ is not installed ({ServerScript} is missing) and the tests do not run as root, so they cannot install it: " +
                "run `apt-get install -y rabbitmq-server` as root, or set RABBITMQ_TEST_URL to a running broker.");
        }

        // One apt-get at a time on the machine: the PostgreSQL fixture installs under the same lock.
        using IDisposable held = await InstallLock.AcquireAsync(Path.Combine(Path.GetTempPath(), "firecrawl-streaming-apt.lock"));
        if (File.Exists(ServerScript))
        {
            return; // another process installed it while this one waited
        }

        var clock = Stopwatch.StartNew();

        // The package starts a system-wide node (as rabbit@HOST on 5672) unless policy-rc.d forbids it; the tests want
        // only their private node. Containers usually ship a policy that forbids every start: keep it if present.
        bool ownPolicy = !File.Exists(PolicyFile);
        if (ownPolicy && !OperatingSystem.IsWindows())
        {
            await File.WriteAllTextAsync(PolicyFile, "#!/bin/sh\n# Written while the tests install rabbitmq-server: no service starts.\nexit 101\n");
            File.SetUnixFileMode(PolicyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        try
        {
            var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
            (int code, string output) = await RunAsync("apt-get", ["install", "-y", "-q", "--no-install-recommends", "rabbitmq-server"], environment);
            if (code != 0)
            {
                // A fresh machine may not have read the package lists yet.
                await RunAsync("apt-get", ["update", "-q"], environment);
                (code, output) = await RunAsync("apt-get", ["install", "-y", "-q", "--no-install-recommends", "rabbitmq-server"], environment);
            }

            if (code != 0 || !File.Exists(ServerScript))
            {
                throw new InvalidOperationException($"`apt-get install rabbitmq-server` failed ({code}):\n{output}");
            }
        }
        finally
        {
            if (ownPolicy)
            {
                File.Delete(PolicyFile);
            }
        }

        if (Directory.Exists("/run/systemd/system"))
        {
            // Under systemd, policy-rc.d is not consulted by every path: make sure no system node runs or starts on boot.
            await RunAsync("systemctl", ["disable", "--now", "rabbitmq-server"]);
        }

        log($"Installed rabbitmq-server in {clock.Elapsed.TotalSeconds:0.0} s.");
    }

    private static async Task RunCheckedAsync(string program, IEnumerable<string> arguments)
    {
        (int code, string output) = await RunAsync(program, arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"`{program} {string.Join(' ', arguments)}` failed ({code}): {output}");
        }
    }

    private static Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        InstallLock.RunAsync(program, arguments, environment: environment);
}
