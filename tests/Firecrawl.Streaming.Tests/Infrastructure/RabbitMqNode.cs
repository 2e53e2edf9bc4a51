using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using RabbitMQ.Client;

namespace Firecrawl.Streaming.Tests.Infrastructure;

/// <summary>
/// A real RabbitMQ broker for tests and benchmarks. With <c>RABBITMQ_TEST_URL</c> set (e.g. <c>amqp://guest:guest@127.0.0.1:5672/</c>)
/// that broker is used. Otherwise this starts a private node of Debian's <c>rabbitmq-server</c> (installing the
/// package first when it is missing and the tests run as root) as the unprivileged <c>rabbitmq</c> user, on free
/// loopback ports, with its data, logs and Erlang cookie in a temporary directory, and stops it when the run ends.
/// </summary>
/// <remarks>The node can be restarted (<see cref="RestartAsync"/>) with its data, as a broker restart in production
/// would be: durable queues and their messages survive.</remarks>
public sealed partial class RabbitMqNode : IAsyncDisposable
{
    private const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private const string CtlScript = "/usr/lib/rabbitmq/bin/rabbitmqctl";
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(90);
    private readonly ProcessOutput _output = new();
    private string? _directory;
    private int _amqpPort;
    private int _distPort;
    private int _epmdPort;
    private readonly Action<string> _log;
    private Process? _process;

    /// <summary>Creates the node's handle; <see cref="InitializeAsync"/> starts it.</summary>
    /// <param name="log">Where progress lines go (startup time, installs).</param>
    public RabbitMqNode(Action<string>? log = null) => _log = log ?? (_ => { });

    /// <summary>Gets the broker's AMQP URI (the default <c>guest</c> user, which RabbitMQ admits over loopback).</summary>
    public Uri AmqpUri { get; private set; } = new("amqp://127.0.0.1/");

    /// <summary>Gets how long the first start took (zero when an external broker is used).</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>Gets a value indicating whether this fixture runs the broker (and so can restart it).</summary>
    public bool OwnsBroker => _directory is not null;

    private string NodeName => $"fctest{_amqpPort}@localhost";

    /// <summary>Uses <c>RABBITMQ_TEST_URL</c>, or installs (when needed) and starts a private node.</summary>
    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("RABBITMQ_TEST_URL") is { Length: > 0 } url)
        {
            AmqpUri = new Uri(url);
            return;
        }

        var clock = Stopwatch.StartNew();
        await EnsureInstalledAsync(_log);
        _directory = Directory.CreateTempSubdirectory("fcstream-rabbitmq-").FullName;
        foreach (string sub in (string[])["home", "mnesia", "log"])
        {
            Directory.CreateDirectory(Path.Combine(_directory, sub));
        }

        if (LocalMachine.IsRoot && !OperatingSystem.IsWindows())
        {
            // The node runs as the unprivileged rabbitmq user: it must own its directory (and reach it: mode 755).
            File.SetUnixFileMode(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            await RunCheckedAsync("chown", ["-R", "rabbitmq:rabbitmq", _directory]);
        }

        _amqpPort = LocalMachine.FreeLoopbackPort();
        _distPort = LocalMachine.FreeLoopbackPort();
        _epmdPort = LocalMachine.FreeLoopbackPort();
        AmqpUri = new Uri($"amqp://guest:guest@127.0.0.1:{_amqpPort}/");
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        await StartAsync();
        StartupTime = clock.Elapsed;
        _log($"RabbitMQ node {NodeName} started on port {_amqpPort} in {StartupTime.TotalMilliseconds:0} ms.");
    }

    public async ValueTask DisposeAsync()
    {
        if (_directory is null)
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        await StopAsync();
        await StopEpmdAsync();
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        _log($"RabbitMQ stopped in {clock.Elapsed.TotalMilliseconds:0} ms.");
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file the node still had open; the temporary directory is cleaned up by the system in time.
        }

        _directory = null;
    }

    /// <summary>Opens a connection to the broker.</summary>
    public Task<IConnection> ConnectAsync(CancellationToken cancellationToken = default) =>
        new ConnectionFactory { Uri = AmqpUri }.CreateConnectionAsync("fcstream-tests", cancellationToken);

    /// <summary>Stops the broker (as a clean shutdown) and starts it again on the same ports with the same data.</summary>
    public async Task RestartAsync()
    {
        if (!OwnsBroker)
        {
            throw new InvalidOperationException("The broker given by RABBITMQ_TEST_URL cannot be restarted.");
        }

        await StopAsync();
        await StartAsync();
    }

    /// <summary>Stops the broker; <see cref="StartAsync"/> starts it again.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        int? pid = ReadNodePid();
        if (pid is int beam)
        {
            // SIGTERM is the Erlang VM's clean shutdown: queues are closed and their state written.
            _ = LocalMachine.Signal(beam, 15);
        }
        else
        {
            _process.Kill(entireProcessTree: true);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            if (pid is int stuck)
            {
                _ = LocalMachine.Signal(stuck, 9);
            }

            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _process = null;
    }

    /// <summary>Starts the node and waits until it accepts AMQP connections.</summary>
    public async Task StartAsync()
    {
        string directory = _directory ?? throw new InvalidOperationException("The fixture uses an external broker.");
        var start = new ProcessStartInfo(LocalMachine.IsRoot ? "setpriv" : ServerScript)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        if (LocalMachine.IsRoot)
        {
            foreach (string argument in (string[])["--reuid=rabbitmq", "--regid=rabbitmq", "--init-groups", ServerScript])
            {
                start.ArgumentList.Add(argument);
            }
        }

        SetNodeEnvironment(start, directory);
        _output.Clear();

        var process = new Process { StartInfo = start };
        _output.Capture(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var clock = Stopwatch.StartNew();
        var factory = new ConnectionFactory { Uri = AmqpUri, RequestedConnectionTimeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"RabbitMQ exited with code {process.ExitCode} while starting. Its output:\n{_output}");
            }

            if (clock.Elapsed > s_startTimeout)
            {
                await StopAsync();
                throw new InvalidOperationException($"RabbitMQ did not accept AMQP on port {_amqpPort} within {s_startTimeout.TotalSeconds:0} s. Its output:\n{_output}");
            }

            if (await AcceptsTcpAsync(_amqpPort))
            {
                try
                {
                    await using IConnection connection = await factory.CreateConnectionAsync("fcstream-tests-probe");
                    return;
                }
                catch (Exception e) when (e is RabbitMQ.Client.Exceptions.BrokerUnreachableException or IOException or SocketException)
                {
                    // The listener is up a moment before the node admits connections.
                }
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Runs <c>rabbitmqctl</c> against the node and returns its output; e.g. <c>list_queues name messages_unacknowledged</c>.</summary>
    public async Task<string> CtlAsync(params string[] arguments)
    {
        string directory = _directory ?? throw new InvalidOperationException("rabbitmqctl needs the fixture's own node.");
        var start = new ProcessStartInfo(LocalMachine.IsRoot ? "setpriv" : CtlScript)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        List<string> all = LocalMachine.IsRoot ? ["--reuid=rabbitmq", "--regid=rabbitmq", "--init-groups", CtlScript] : [];
        all.AddRange(["-n", NodeName, "-q"]);
        all.AddRange(arguments);
        foreach (string argument in all)
        {
            start.ArgumentList.Add(argument);
        }

        SetNodeEnvironment(start, directory);
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await error}");
    }

    private void SetNodeEnvironment(ProcessStartInfo start, string directory)
    {
        string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var variables = new Dictionary<string, string>
        {
            // A private HOME holds the node's Erlang cookie, which rabbitmqctl reads from the same place.
            ["HOME"] = Path.Combine(directory, "home"),
            ["RABBITMQ_NODENAME"] = NodeName,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = Port(_amqpPort),
            ["RABBITMQ_DIST_PORT"] = Port(_distPort),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(directory, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(directory, "log"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(directory, "node.pid"),

            // Nothing from /etc/rabbitmq: no plugins, the default configuration.
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(directory, "enabled_plugins"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(directory, "rabbitmq"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(directory, "advanced.config"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(directory, "rabbitmq-env.conf"),

            // A private port mapper on loopback, stopped with the node, instead of a shared one on 4369 left running.
            ["ERL_EPMD_PORT"] = Port(_epmdPort),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
        };
        foreach ((string name, string value) in variables)
        {
            start.Environment[name] = value;
        }
    }

    private int? ReadNodePid()
    {
        string? file = _directory is null ? null : Path.Combine(_directory, "node.pid");
        return file is not null && File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out int pid) ? pid : null;
    }

    private async Task StopEpmdAsync()
    {
        var start = new ProcessStartInfo("epmd") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-kill");
        start.Environment["ERL_EPMD_PORT"] = _epmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            using var process = Process.Start(start)!;
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or TimeoutException)
        {
            // No epmd on PATH, or it hangs: the port mapper holds no data and ends with the machine.
        }
    }

    /// <summary>Kills the node outright when the test process ends without disposing the fixture (e.g. Ctrl+C).</summary>
    private void OnProcessExit(object? sender, EventArgs e)
    {
        if (ReadNodePid() is int pid)
        {
            _ = LocalMachine.Signal(pid, 9);
        }

        _ = StopEpmdAsync().Wait(TimeSpan.FromSeconds(5));
    }

    private static async Task<bool> AcceptsTcpAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TimeSpan.FromSeconds(1));
            return true;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return false;
        }
    }
}
