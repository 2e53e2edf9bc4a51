using System.Buffers;

namespace Firecrawl.Streaming;

/// <summary>Reads a whole (small) response body, treating a body that goes silent as a dropped connection.</summary>
internal static class BodyReader
{
    /// <summary>
    /// Reads the body to its end. <see cref="System.Net.Http.HttpClient.Timeout"/> stops at the headers, so
    /// without a limit of its own a body that stalls would hang the caller for ever.
    /// </summary>
    /// <exception cref="TimeoutException">No byte arrived for <paramref name="idleTimeout"/>.</exception>
    public static async Task<ReadOnlyMemory<byte>> ReadAllAsync(HttpResponseMessage response, TimeSpan idleTimeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = new ArrayBufferWriter<byte>(4096);
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using CancellationTokenRegistration link = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), idle);
        await using Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            idle.CancelAfter(idleTimeout);
            int read;
            try
            {
                read = await stream.ReadAsync(body.GetMemory(16 * 1024), idle.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The response body delivered no bytes for {idleTimeout.TotalSeconds:0.###} s.");
            }

            if (read == 0)
            {
                return body.WrittenMemory;
            }

            body.Advance(read);
        }
    }
}
