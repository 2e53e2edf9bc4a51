using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Firecrawl.Streaming.Tests.Infrastructure;

/// <summary>What the service fixtures ask of the machine: a free loopback port, whether they run as root, a signal.</summary>
internal static class LocalMachine
{
    /// <summary>Gets a value indicating whether the process runs as root (Linux), and so may install packages and must drop privileges for servers that refuse root.</summary>
    public static bool IsRoot => OperatingSystem.IsLinux() && GetEuid() == 0;

    /// <summary>A loopback port nothing listens on at the moment of asking.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Sends <paramref name="signal"/> to a process by id (one started by another user, which <c>Process.Kill</c> cannot reach by name); 0 on success.</summary>
    public static int Signal(int pid, int signal) => Kill(pid, signal);

    [DllImport("libc", EntryPoint = "geteuid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern uint GetEuid();

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
