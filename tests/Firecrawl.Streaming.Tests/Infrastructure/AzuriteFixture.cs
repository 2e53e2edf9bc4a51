using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Firecrawl.Streaming.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(AzuriteFixture))]

namespace Firecrawl.Streaming.Tests.Infrastructure;

/// <summary>
/// The Azure Storage emulator for the blob tests. <c>AZURITE_CONNECTION_STRING</c> points at a running one;
/// otherwise Azurite is started from <c>.ci/node_modules</c> on a free loopback port (in memory) the first
/// time a test needs it, and killed when the test run ends.
/// </summary>
public sealed class AzuriteFixture : IAsyncDisposable
{
    // The emulator's well-known development account.
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly SemaphoreSlim _start = new(1, 1);
    private Process? _process;
    private string? _connectionString = Environment.GetEnvironmentVariable("AZURITE_CONNECTION_STRING");

    /// <summary>Gets the connection string of a running emulator, starting one if needed.</summary>
    public async Task<string> GetConnectionStringAsync(CancellationToken cancellationToken)
    {
        await _start.WaitAsync(cancellationToken);
        try
        {
            return _connectionString ??= await StartAsync(cancellationToken);
        }
        finally
        {
            _start.Release();
        }
    }

    private async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        string executable = FindAzurite();
        int port = FreePort();
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--inMemoryPersistence", "--skipApiVersionCheck", "--silent", "--loose", "--disableTelemetry" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                break;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(30) && !_process.HasExited)
            {
                await Task.Delay(100, cancellationToken);
            }
        }

        return $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
    }

    private static string FindAzurite()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, ".ci", "node_modules", ".bin", "azurite-blob");
            if (File.Exists(candidate))
            {
                return candidate;
            }

            if (File.Exists(Path.Combine(directory.FullName, ".ci", "package.json")))
            {
                break;
            }
        }

        throw new InvalidOperationException("Azurite is not installed: run `npm install --prefix .ci` in the repository (or set AZURITE_CONNECTION_STRING).");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public ValueTask DisposeAsync()
    {
        // Azurite takes seconds to stop on SIGTERM; its data is in memory and disposable.
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        _start.Dispose();
        return ValueTask.CompletedTask;
    }
}
