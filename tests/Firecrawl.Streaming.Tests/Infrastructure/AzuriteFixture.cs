using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure.Storage.Blobs;

namespace Firecrawl.Streaming.Tests.Infrastructure;

/// <summary>The test collection of every class that needs Azure Blob Storage; they share one <see cref="AzuriteFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteGroup : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}

/// <summary>
/// Azure Blob Storage for tests. With <c>AZURITE_CONNECTION_STRING</c> (a full connection string) or
/// <c>AZURITE_BLOB_ENDPOINT</c> (e.g. <c>http://127.0.0.1:10000/devstoreaccount1</c>) set, uses that service.
/// Otherwise starts Azurite's blob service from the repository's <c>.ci/node_modules</c> on a free loopback port, in
/// memory, and kills it when the collection is done. When Azurite is missing there, the fixture installs it first with
/// <c>npm ci --prefix .ci</c> (the committed <c>.ci/package-lock.json</c> pins every version) under a cross-process lock.
/// </summary>
/// <remarks>When Azurite cannot be installed the fixture fails, and with it every test that needs it: no test passes
/// without having talked to storage.</remarks>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>The emulator's well-known development account.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The emulator's well-known, published development key (not a secret).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private readonly ProcessOutput _output = new();
    private Process? _process;

    /// <summary>Gets the connection string of the storage account.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Gets how long starting Azurite took (zero when an external service is used).</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>Gets a client for a container with a fresh, unique name (not created yet).</summary>
    /// <param name="hint">Lowercase letters and digits, at most 30, that say whose container it is.</param>
    public BlobContainerClient NewContainer(string hint) => new(ConnectionString, $"{hint}-{Guid.NewGuid():N}");

    public async ValueTask InitializeAsync()
    {
        string? connectionString = Environment.GetEnvironmentVariable("AZURITE_CONNECTION_STRING");
        string? endpoint = Environment.GetEnvironmentVariable("AZURITE_BLOB_ENDPOINT");
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            ConnectionString = connectionString;
            return;
        }

        if (!string.IsNullOrWhiteSpace(endpoint))
        {
            ConnectionString = ForEndpoint(endpoint.TrimEnd('/'));
            return;
        }

        string executable = await FindOrInstallAzuriteAsync();
        var clock = Stopwatch.StartNew();
        for (int attempt = 1; ; attempt++)
        {
            int port = LocalMachine.FreeLoopbackPort();
            if (await TryStartAsync(executable, port))
            {
                ConnectionString = ForEndpoint($"http://127.0.0.1:{port}/{AccountName}");
                StartupTime = clock.Elapsed;
                TestContext.Current.SendDiagnosticMessage($"Azurite started on port {port} in {StartupTime.TotalMilliseconds:0} ms.");
                return;
            }

            // Another process may have taken the port between our probe and Azurite's bind: try another one.
            if (attempt == 3)
            {
                throw new InvalidOperationException($"Azurite did not start (3 attempts). Its output:\n{_output}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        await KillAsync(_process);
        TestContext.Current.SendDiagnosticMessage($"Azurite stopped in {clock.Elapsed.TotalMilliseconds:0} ms.");
        _process.Dispose();
        _process = null;
    }

    private static string ForEndpoint(string blobEndpoint) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={blobEndpoint};";

    /// <summary>
    /// Finds <c>.ci/node_modules/.bin/azurite-blob</c> in the nearest directory above the test assembly that has
    /// <c>.ci/</c>, installing it first with <c>npm ci --prefix .ci</c> (from the committed lock file) when it is missing.
    /// </summary>
    private static async Task<string> FindOrInstallAzuriteAsync()
    {
        string name = OperatingSystem.IsWindows() ? "azurite-blob.cmd" : "azurite-blob";
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string ci = Path.Combine(directory.FullName, ".ci");
            if (!Directory.Exists(ci))
            {
                continue;
            }

            string executable = Path.Combine(ci, "node_modules", ".bin", name);
            if (File.Exists(executable))
            {
                return executable;
            }

            // Another test process may be installing right now: wait for it, then look again before installing.
            using (await InstallLock.AcquireAsync(Path.Combine(ci, ".install.lock")))
            {
                if (!File.Exists(executable))
                {
                    await InstallAsync(directory.FullName, executable);
                }
            }

            return executable;
        }

        throw new InvalidOperationException(
            $"No .ci/ directory above {AppContext.BaseDirectory}, so Azurite cannot be installed. Run the tests from the repository, " +
            "or set AZURITE_BLOB_ENDPOINT / AZURITE_CONNECTION_STRING.");
    }

    private static async Task InstallAsync(string repository, string executable)
    {
        var clock = Stopwatch.StartNew();
        (int exitCode, string output) result;
        try
        {
            result = await InstallLock.RunAsync(OperatingSystem.IsWindows() ? "npm.cmd" : "npm",
                ["ci", "--prefix", ".ci", "--no-audit", "--no-fund", "--loglevel=error"], repository);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException(
                "Azurite is not installed and npm was not found: install Node.js 20+ (e.g. `apt-get install -y nodejs npm`), " +
                "or set AZURITE_BLOB_ENDPOINT / AZURITE_CONNECTION_STRING to a running service.");
        }

        if (result.exitCode != 0 || !File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"`npm ci --prefix .ci` in {repository} failed (exit {result.exitCode}), so Azurite is not installed. Its output:\n{result.output}");
        }

        TestContext.Current.SendDiagnosticMessage($"Azurite installed with npm ci in {clock.Elapsed.TotalSeconds:0.0} s.");
    }

    /// <summary>Starts Azurite on <paramref name="port"/> and waits until it accepts connections; false if it exited.</summary>
    private async Task<bool> TryStartAsync(string executable, int port)
    {
        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,

            // In-memory storage writes no files, but Azurite may still drop a debug log in its working directory.
            WorkingDirectory = Path.GetTempPath(),
        };

        // --skipApiVersionCheck: the SDK speaks a newer service version than the emulator knows.
        // --loose: ignore headers the emulator does not implement instead of failing the request.
        foreach (string argument in (string[])["--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry"])
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        _output.Capture(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < s_startTimeout)
        {
            if (process.HasExited)
            {
                process.Dispose();
                _process = null;
                return false;
            }

            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TimeSpan.FromSeconds(1));
                return true;
            }
            catch (Exception e) when (e is SocketException or TimeoutException)
            {
                await Task.Delay(50);
            }
        }

        await KillAsync(process);
        throw new InvalidOperationException($"Azurite did not answer on port {port} within {s_startTimeout.TotalSeconds:0} s. Its output:\n{_output}");
    }

    /// <summary>Kills Azurite and its children outright: it takes seconds to stop on a polite signal, and holds no data worth keeping.</summary>
    private static async Task KillAsync(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            return; // Exited already.
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync(timeout.Token);
    }
}
