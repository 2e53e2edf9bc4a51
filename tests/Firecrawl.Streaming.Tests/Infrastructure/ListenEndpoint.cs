using System.Net;
using System.Net.Sockets;

namespace Firecrawl.Streaming.Tests.Infrastructure;

/// <summary>A free loopback port for <c>fcstream listen</c>, and the wait until its endpoint answers.</summary>
internal static class ListenEndpoint
{
    public static int FreePort() => LocalMachine.FreeLoopbackPort();

    /// <summary>Waits until the endpoint answers (an unsigned probe gets 401 and stores nothing).</summary>
    public static async Task WaitListeningAsync(HttpClient http, Uri url, Func<bool> gaveUp, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            Assert.False(gaveUp(), "fcstream listen ended before it listened.");
            try
            {
                using HttpResponseMessage response = await http.PostAsync(url, new ByteArrayContent("{}"u8.ToArray()), wait.Token);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(20, wait.Token);
            }
        }
    }
}
