using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Npgsql;

namespace Firecrawl.Streaming.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL server for tests and benchmarks: <c>initdb</c> into a temporary folder, <c>pg_ctl start</c>
/// on a free loopback port (no Unix socket outside that folder), password authentication over TCP, and
/// <c>pg_ctl stop -m immediate</c> plus deletion of the folder at the end. With <c>FIRECRAWL_TEST_PG</c> set to a
/// connection string, <see cref="SharedAsync"/> uses that running server instead.
/// </summary>
/// <remarks>
/// The server binaries come from <c>pg_config --bindir</c> or <c>/usr/lib/postgresql/*/bin</c>; when there are none
/// and the process runs as root, Debian's <c>postgresql</c> package is installed first (under a machine-wide lock),
/// otherwise starting fails with the command to run. PostgreSQL refuses to run as root, so as root every server
/// command runs as the <c>postgres</c> user through <c>runuser</c>. A detached watchdog stops the server and deletes
/// its folder when this process is gone, even when it was killed, so a crashed run leaves nothing running.
/// </remarks>
internal sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>The environment variable naming an already-running server to use instead of starting one.</summary>
    public const string EnvironmentVariable = "FIRECRAWL_TEST_PG";

    private const string AdminUser = "postgres";
    private static readonly Lock s_sharedLock = new();
    private static Task<PostgresServer>? s_shared;

    private readonly string? _root;
    private readonly string? _binDirectory;
    private readonly int _port;
    private readonly Action<string> _log;
    private bool _running;

    private PostgresServer(string connectionString, Action<string> log)
    {
        ConnectionString = connectionString;
        _log = log;
    }

    private PostgresServer(string root, string binDirectory, int port, string password, Action<string> log)
    {
        _root = root;
        _binDirectory = binDirectory;
        _port = port;
        _log = log;
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = AdminUser,
            Password = password,
            Database = "postgres",
        }.ConnectionString;
    }

    /// <summary>Gets the connection string of the server's <c>postgres</c> database, as a superuser.</summary>
    public string ConnectionString { get; }

    /// <summary>Gets whether this process started the server (so it can stop and restart it).</summary>
    public bool IsOwned => _root is not null;

    /// <summary>Gets the server shared by this process: the one named by <c>FIRECRAWL_TEST_PG</c>, or one started on first use.</summary>
    /// <param name="log">Receives a line about starting the server (only on first use).</param>
    public static Task<PostgresServer> SharedAsync(Action<string>? log = null)
    {
        lock (s_sharedLock)
        {
            return s_shared ??= CreateSharedAsync(log ?? (_ => { }));
        }
    }

    private static async Task<PostgresServer> CreateSharedAsync(Action<string> log)
    {
        string? external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            return new PostgresServer(external, log);
        }

        PostgresServer server = await StartNewAsync(log);

        // The run's end: xunit does not dispose statics, so stop at process exit (the watchdog covers a kill).
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    }

    /// <summary>Starts a new private server (for tests that stop and restart it); dispose it to stop it.</summary>
    public static async Task<PostgresServer> StartNewAsync(Action<string>? log = null)
    {
        log ??= _ => { };
        var clock = Stopwatch.StartNew();
        string binDirectory = await FindOrInstallBinariesAsync(log);
        bool root = LocalMachine.IsRoot;
        string folder = Directory.CreateTempSubdirectory("firecrawl-pg-").FullName;
        try
        {
            string password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            if (root)
            {
                await RunCheckedAsync("chown", [AdminUser, folder]);
            }

            string passwordFile = Path.Combine(folder, "password");
            await File.WriteAllTextAsync(passwordFile, password);
            await RunAsServerUserAsync(root, Path.Combine(binDirectory, "initdb"),
                ["-D", Path.Combine(folder, "data"), "-U", AdminUser, "--pwfile", passwordFile, "--auth-local=trust",
                 "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"]);
            File.Delete(passwordFile);

            for (int attempt = 1; ; attempt++)
            {
                var server = new PostgresServer(folder, binDirectory, LocalMachine.FreeLoopbackPort(), password, log);
                try
                {
                    await server.StartAsync();
                    server.StartWatchdog();
                    log($"PostgreSQL started on 127.0.0.1:{server._port} in {clock.Elapsed.TotalMilliseconds:0} ms.");
                    return server;
                }
                catch (InvalidOperationException) when (attempt < 3)
                {
                    // Another process may have taken the port between our probe and the server's bind.
                }
            }
        }
        catch
        {
            TryDelete(folder);
            throw;
        }
    }

    /// <summary>Starts the server (again, after <see cref="StopAsync"/>) on its port and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        string data = OwnedData();
        string options = string.Join(' ',
            $"-p {_port.ToString(CultureInfo.InvariantCulture)}",
            "-c listen_addresses=127.0.0.1",
            $"-c unix_socket_directories={_root}",
            // Throwaway data: skip fsync (a server crash keeps what the OS has, a machine crash is not a test case),
            // but keep synchronous_commit so that a commit survives `pg_ctl stop -m immediate`, which tests use as a crash.
            "-c fsync=off -c full_page_writes=off",
            "-c max_connections=300");
        string log = Path.Combine(_root!, "server.log");
        (int exitCode, string output) = await RunAsServerUserAsync(LocalMachine.IsRoot, PgCtl(),
            ["start", "-D", data, "-w", "-t", "60", "-l", log, "-o", options], check: false);
        if (exitCode != 0)
        {
            string serverLog = File.Exists(log) ? await File.ReadAllTextAsync(log) : "(none)";
            throw new InvalidOperationException($"pg_ctl start failed (exit {exitCode}): {output}\nServer log:\n{serverLog}");
        }

        _running = true;
    }

    /// <summary>Stops the server at once, as a crash would (<c>-m immediate</c>): the data stays, and the next start recovers it.</summary>
    public async Task StopAsync()
    {
        await RunAsServerUserAsync(LocalMachine.IsRoot, PgCtl(), ["stop", "-D", OwnedData(), "-m", "immediate", "-w"], check: false);
        _running = false;
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    /// <param name="hint">Lowercase letters, digits and underscores that say whose database it is.</param>
    public async Task<string> CreateDatabaseAsync(string hint)
    {
        string name = $"{hint}_{Guid.NewGuid():N}";
        name = name.Length > 63 ? name[^63..] : name;
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using (var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection))
        {
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing whatever is still connected to it.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        string name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_root is null)
        {
            return;
        }

        if (_running)
        {
            await StopAsync();
        }

        TryDelete(_root);
    }

    private string OwnedData() =>
        _root is null ? throw new InvalidOperationException("This server was not started by this process, so it cannot be stopped or started.") : Path.Combine(_root, "data");

    private string PgCtl() => Path.Combine(_binDirectory!, "pg_ctl");

    /// <summary>Starts a detached shell that stops the server and deletes its folder once this process is gone.</summary>
    private void StartWatchdog()
    {
        string stop = $"{PgCtl()} stop -D {OwnedData()} -m immediate";
        if (LocalMachine.IsRoot)
        {
            stop = $"runuser -u {AdminUser} -- {stop}";
        }

        string script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 2; done; {stop} >/dev/null 2>&1; rm -rf {_root}";
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in (string[])["-f", "sh", "-c", script])
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using Process? process = Process.Start(start);
            process?.StandardInput.Close();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            _log("setsid not found: a killed test run would leave its PostgreSQL server running.");
        }
    }

    private static async Task<string> FindOrInstallBinariesAsync(Action<string> log)
    {
        if (FindBinaries() is { } found)
        {
            return found;
        }

        if (!LocalMachine.IsRoot)
        {
            throw new InvalidOperationException(
                "PostgreSQL's server binaries were not found (no initdb in `pg_config --bindir` or /usr/lib/postgresql/*/bin): " +
                $"run `sudo apt-get install -y postgresql`, or set {EnvironmentVariable} to a running server's connection string.");
        }

        using (await InstallLock.AcquireAsync(Path.Combine(Path.GetTempPath(), "firecrawl-streaming-apt.lock")))
        {
            if (FindBinaries() is { } installed)
            {
                return installed;
            }

            var clock = Stopwatch.StartNew();
            var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
            (int exitCode, string output) = await InstallLock.RunAsync("apt-get", ["install", "-y", "-q", "postgresql"], environment: environment);
            if (exitCode != 0)
            {
                // A fresh machine may have no package lists yet.
                await InstallLock.RunAsync("apt-get", ["update", "-q"], environment: environment);
                (exitCode, output) = await InstallLock.RunAsync("apt-get", ["install", "-y", "-q", "postgresql"], environment: environment);
            }

            log($"apt-get install postgresql: exit {exitCode} in {clock.Elapsed.TotalSeconds:0.0} s.");
            return FindBinaries() ?? throw new InvalidOperationException(
                $"`apt-get install -y postgresql` did not provide PostgreSQL's server binaries (exit {exitCode}). Its output:\n{output}");
        }
    }

    private static string? FindBinaries()
    {
        try
        {
            (int exitCode, string output) = InstallLock.RunAsync("pg_config", ["--bindir"]).GetAwaiter().GetResult();
            string directory = output.Trim();
            if (exitCode == 0 && File.Exists(Path.Combine(directory, "initdb")))
            {
                return directory;
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No pg_config: look where Debian puts the server.
        }

        const string Debian = "/usr/lib/postgresql";
        return Directory.Exists(Debian)
            ? Directory.GetDirectories(Debian)
                .Select(version => (Version: int.TryParse(Path.GetFileName(version), out int number) ? number : 0, Bin: Path.Combine(version, "bin")))
                .Where(candidate => File.Exists(Path.Combine(candidate.Bin, "initdb")))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Bin)
                .FirstOrDefault()
            : null;
    }

    private static Task<(int ExitCode, string Output)> RunAsServerUserAsync(bool root, string program, string[] arguments, bool check = true) =>
        root
            ? Run("runuser", ["-u", AdminUser, "--", program, .. arguments], check)
            : Run(program, arguments, check);

    private static Task<(int ExitCode, string Output)> RunCheckedAsync(string program, string[] arguments) => Run(program, arguments, check: true);

    private static async Task<(int ExitCode, string Output)> Run(string program, string[] arguments, bool check)
    {
        (int exitCode, string output) = await InstallLock.RunAsync(program, arguments, timeout: TimeSpan.FromMinutes(2));
        return check && exitCode != 0
            ? throw new InvalidOperationException($"`{program} {string.Join(' ', arguments)}` failed (exit {exitCode}): {output}")
            : (exitCode, output);
    }


    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The watchdog deletes it once this process is gone.
        }
    }
}
