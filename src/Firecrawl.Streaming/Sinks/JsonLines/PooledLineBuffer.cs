using System.Buffers;

namespace Firecrawl.Streaming.Sinks;

/// <summary>
/// The lines of one batch, in an array rented from <see cref="ArrayPool{T}.Shared"/>. A batch of pages needs a buffer
/// of about a megabyte; grown from scratch by every sink (one per pipeline run) it would cost several megabytes of
/// garbage per run, while a rented one is reused from run to run. The Markdown directory sink builds each file in one.
/// </summary>
internal sealed class PooledLineBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _written;

    public PooledLineBuffer(int initialCapacity) => _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int WrittenCount => _written;

    public ReadOnlyMemory<byte> WrittenMemory => new(_buffer, 0, _written);

    public ReadOnlySpan<byte> WrittenSpan => new(_buffer, 0, _written);

    public void ResetWrittenCount() => _written = 0;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _written);
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint); // first: it may replace the array
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Returns the array to the pool; the buffer is not used afterwards.</summary>
    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Makes room for at least <paramref name="sizeHint"/> bytes (one when 0) after those written.</summary>
    private void Reserve(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written < needed)
        {
            int size = (int)Math.Min(Array.MaxLength, Math.Max((long)_written + needed, 2L * _buffer.Length));
            byte[] larger = ArrayPool<byte>.Shared.Rent(size);
            _buffer.AsSpan(0, _written).CopyTo(larger);
            byte[] old = _buffer;
            _buffer = larger;
            if (old.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(old);
            }
        }
    }
}
