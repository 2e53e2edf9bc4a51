using System.Buffers;
using System.IO.Pipelines;

namespace Firecrawl.Streaming;

/// <summary>
/// Moves a response body from its stream into a pipe on a task of its own. The parser reads the pipe: while it works,
/// the socket's small reads (4–16 KB on a real link) pile up in segments of at least the segment size, so whenever the
/// parser is the slower side it gets few, large, contiguous reads instead of one call per packet; when the network is
/// the slower side, it sees the bytes as soon as they arrive (a trickling body keeps making progress, and the reader's
/// idle timer sees it). A chunk requested ahead of its turn downloads up to its read-ahead budget and
/// then waits for its turn.
/// </summary>
internal static class BodyPump
{
    /// <summary>The smallest free space a socket read goes into; smaller leftovers of a segment start a new one.</summary>
    private const int ReadHint = 8 * 1024;

    /// <summary>Starts pumping <paramref name="source"/>; the reader's exceptions are the stream's own (a dropped connection, a cut body).</summary>
    /// <param name="source">The body.</param>
    /// <param name="segmentSize">The pipe's smallest segment.</param>
    /// <param name="turn">Completes when the reader's turn has come; null when it has from the start.</param>
    /// <param name="readAheadBytes">How much to buffer before the turn.</param>
    /// <param name="cancellationToken">Stops the pump.</param>
    /// <param name="pump">The pump's task; it never throws.</param>
    /// <param name="pool">Where segments come from; null for the shared pool.</param>
    /// <returns>The reader.</returns>
    public static PipeReader Start(Stream source, int segmentSize, Task? turn, long readAheadBytes, CancellationToken cancellationToken, out Task pump, MemoryPool<byte>? pool = null)
    {
        var pipe = new Pipe(new PipeOptions(
            pool: pool,
            minimumSegmentSize: segmentSize,
            pauseWriterThreshold: 0, // never blocks: read-ahead is bounded below, a chunk in its turn by its own size
            resumeWriterThreshold: 0,
            useSynchronizationContext: false));
        pump = RunAsync(source, pipe.Writer, turn, readAheadBytes, cancellationToken);
        return pipe.Reader;
    }

    private static async Task RunAsync(Stream source, PipeWriter writer, Task? turn, long readAheadBytes, CancellationToken cancellationToken)
    {
        Exception? error = null;
        try
        {
            long written = 0;
            while (true)
            {
                if (turn is { IsCompleted: false } && written >= readAheadBytes)
                {
                    await turn.WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                int read = await source.ReadAsync(writer.GetMemory(ReadHint), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                writer.Advance(read);
                written += read;
                FlushResult flushed = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    break; // the reader is gone
                }
            }
        }
        catch (Exception e)
        {
            // The reader sees the socket's own exception and retries it as before; after a close nobody reads it.
            error = e;
        }

        await writer.CompleteAsync(error).ConfigureAwait(false);
    }
}
