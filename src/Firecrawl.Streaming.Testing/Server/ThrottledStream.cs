using System.Diagnostics;

namespace Firecrawl.Streaming.Testing;

/// <summary>
/// A write-only view of a response body that sends no faster than a given rate: writes go out in slices of at most
/// 16 KB, each after the time the bytes before it would have taken on the link. One per response, so each connection
/// gets the whole rate, as with a remote server whose per-connection throughput (not the server) is the limit. Time the
/// link spends idle (the client not reading, its socket buffer full) earns at most a few milliseconds of credit: a
/// real link does not send faster later for having waited, so a body read late takes its full time.
/// </summary>
internal sealed class ThrottledStream(Stream inner, long bytesPerSecond) : Stream
{
    private const int Slice = 16 * 1024;
    private static readonly TimeSpan MaxCredit = TimeSpan.FromMilliseconds(5);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _sent;
    private TimeSpan _idle; // link time nobody used, beyond the credit

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _sent; set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            ReadOnlyMemory<byte> slice = buffer[..Math.Min(Slice, buffer.Length)];
            TimeSpan due = TimeSpan.FromSeconds((double)_sent / bytesPerSecond) + _idle - _clock.Elapsed;
            if (due < -MaxCredit)
            {
                _idle += -MaxCredit - due;
                due = -MaxCredit;
            }
            if (due > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(due, cancellationToken).ConfigureAwait(false);
            }

            await inner.WriteAsync(slice, cancellationToken).ConfigureAwait(false);
            await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
            _sent += slice.Length;
            buffer = buffer[slice.Length..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => throw new NotSupportedException("Writes are asynchronous.");

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Writes are asynchronous.");
}
