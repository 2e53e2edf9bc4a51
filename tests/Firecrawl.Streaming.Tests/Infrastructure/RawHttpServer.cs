using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Firecrawl.Streaming.Tests.Infrastructure;

/// <summary>A request line and headers as <see cref="RawHttpServer"/> received them.</summary>
public sealed record RawRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers)
{
    public string? Authorization => Headers.TryGetValue("authorization", out string? value) ? value : null;
}

/// <summary>
/// A loopback HTTP/1.1 server that answers each request with whatever bytes a test builds from it (a proxy page
/// echoing the request's headers, say), or never answers at all (null). One request per connection.
/// </summary>
public sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<RawRequest, byte[]?> _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<RawRequest> _requests = new();
    private readonly ConcurrentBag<TcpClient> _open = [];
    private readonly Task _loop;

    public RawHttpServer(Func<RawRequest, byte[]?> respond)
    {
        _respond = respond;
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = AcceptAsync();
    }

    public Uri BaseAddress { get; }

    public IReadOnlyList<RawRequest> Requests => [.. _requests];

    /// <summary>A complete response with <c>Content-Length</c> and <c>Connection: close</c>.</summary>
    public static byte[] Response(int status, string contentType, string body)
    {
        byte[] content = Encoding.UTF8.GetBytes(body);
        string head = $"HTTP/1.1 {status} X\r\nContent-Type: {contentType}\r\nContent-Length: {content.Length}\r\nConnection: close\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. content];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (TcpClient client in _open)
        {
            client.Dispose();
        }

        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _open.Add(client);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            NetworkStream stream = client.GetStream();
            var head = new StringBuilder();
            var buffer = new byte[4096];
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                int read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            string[] lines = head.ToString().Split("\r\n");
            string[] requestLine = lines[0].Split(' ');
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string line in lines.Skip(1).TakeWhile(l => l.Length > 0))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
            }

            var request = new RawRequest(requestLine[0], requestLine[1], headers);
            _requests.Enqueue(request);
            byte[]? response = _respond(request);
            if (response is null)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token); // hold the connection open without a word
                return;
            }

            await stream.WriteAsync(response, _stop.Token);
            await stream.FlushAsync(_stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The client went away, or the server is stopping.
        }
        finally
        {
            client.Dispose();
        }
    }
}
