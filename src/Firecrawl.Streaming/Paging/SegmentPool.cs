using System.Buffers;
using System.Collections.Concurrent;

namespace Firecrawl.Streaming;

/// <summary>
/// The pipe segments of one stream's bodies, reused from chunk to chunk. Chunks read ahead hold hundreds of segments at
/// once (a 10 MiB body is 160 of 64 KiB), more than <see cref="ArrayPool{T}.Shared"/> keeps per size, so with the shared
/// pool most of them would be new arrays that live long enough to be promoted and collected late. Returned blocks are
/// kept up to a cap (the most a stream's reorder buffer can hold); the pool lives as long as its client (<see cref="StreamPools"/>).
/// </summary>
internal sealed class SegmentPool(int blockSize, int maxRetained) : MemoryPool<byte>
{
    private readonly ConcurrentStack<byte[]> _free = new(); // last in, first out: the block reused is the one most likely still in the cache
    private int _retained;

    public override int MaxBufferSize => blockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > blockSize)
        {
            return new Block(this, new byte[minBufferSize]);
        }

        if (_free.TryPop(out byte[]? block))
        {
            Interlocked.Decrement(ref _retained);
            return new Block(this, block);
        }

        return new Block(this, GC.AllocateUninitializedArray<byte>(blockSize));
    }

    protected override void Dispose(bool disposing) => _free.Clear();

    private void Return(byte[] block)
    {
        if (block.Length == blockSize && Interlocked.Increment(ref _retained) <= maxRetained)
        {
            _free.Push(block);
            return;
        }

        Interlocked.Decrement(ref _retained);
    }

    private sealed class Block(SegmentPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Block));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is byte[] returned)
            {
                pool.Return(returned);
            }
        }
    }
}
