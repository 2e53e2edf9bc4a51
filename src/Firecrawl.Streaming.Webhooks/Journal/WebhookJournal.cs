using System.Buffers.Binary;
using System.Threading.Channels;

namespace Firecrawl.Streaming.Webhooks.Journal;

/// <summary>
/// An append-only file of records, each <c>[length u32][crc32 u32][type u8][payload]</c> (little-endian), after an
/// 8-byte magic and the journal's 16-byte id (which checkpoints name, so a checkpoint never applies to another journal). An append completes only once its record is on disk (<see cref="FileStream.Flush(bool)"/> with
/// <c>flushToDisk</c>), so acknowledging a delivery after it means a crash cannot lose it.
/// </summary>
/// <remarks>
/// <para><b>Group commit.</b> Appends queue up while the previous batch is being synced, and one fsync covers the whole
/// next batch: concurrent deliveries share the cost of the sync instead of waiting for one each.</para>
/// <para><b>Torn tails.</b> A crash can leave the last record half-written (or, on some file systems, zero-filled).
/// <see cref="Open"/> reads records while their length fits and their checksum matches, and cuts the file after the
/// last good one: that record was never acknowledged, so its sender delivers it again.</para>
/// <para><b>Order.</b> The durable callback runs on the writer, in record order, before any append of the batch
/// completes: what it builds from the records (de-duplication state, the delivery queue) follows the file's order
/// exactly, whether records arrive live or are read back after a restart.</para>
/// </remarks>
internal sealed partial class WebhookJournal : IAsyncDisposable
{
    internal const int HeaderBytes = 9;
    private const int MaxBatch = 256;
    private static readonly byte[] s_magic = "FCWHJ\u0001\r\n"u8.ToArray();

    private readonly FileStream _file;
    private readonly long _maxBytes;
    private readonly Action<JournalRecord> _onDurable;
    private readonly Channel<PendingAppend> _pending = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _sizeLock = new();
    private readonly Task _writer;
    private long _reservedBytes;
    private long _nextSequence;
    private Exception? _broken;

    private WebhookJournal(FileStream file, Guid id, long length, long records, long maxBytes, Action<JournalRecord> onDurable)
    {
        _file = file;
        Id = id;
        _reservedBytes = length;
        _nextSequence = records;
        _maxBytes = maxBytes;
        _onDurable = onDurable;
        _writer = Task.Run(WriteLoopAsync);
    }

    private sealed record PendingAppend(JournalRecordType Type, ReadOnlyMemory<byte> Payload, object? Tag, TaskCompletionSource<long> Done);

    /// <summary>Gets the journal's id, made when the file was created.</summary>
    public Guid Id { get; }

    /// <summary>Gets the number of records the journal holds.</summary>
    public long Records => Interlocked.Read(ref _nextSequence);

    /// <summary>Gets the path of the journal file.</summary>
    public string Path => _file.Name;

    /// <summary>Gets the bytes the journal holds or has promised to hold.</summary>
    public long Length
    {
        get
        {
            lock (_sizeLock)
            {
                return _reservedBytes;
            }
        }
    }

    /// <summary>
    /// Opens (or creates) the journal in <paramref name="directory"/>, reads back every whole record, cuts a torn tail,
    /// and passes each record to <paramref name="replay"/> in order before returning.
    /// </summary>
    /// <param name="directory">The directory; created when missing.</param>
    /// <param name="maxBytes">The most bytes the file may hold; appends beyond it fail with <see cref="JournalFullException"/>.</param>
    /// <param name="replay">Called with each record read back.</param>
    /// <param name="onDurable">Called, on the writer, with each record appended from now on, once it is on disk.</param>
    /// <param name="cutBytes">How many bytes of torn tail were cut.</param>
    /// <returns>The open journal.</returns>
    public static WebhookJournal Open(string directory, long maxBytes, Action<JournalRecord> replay, Action<JournalRecord> onDurable, out long cutBytes)
    {
        Directory.CreateDirectory(directory);
        string path = System.IO.Path.Combine(directory, "webhooks.journal");
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        try
        {
            (Guid id, long good, long records) = ReadBack(file, replay);
            cutBytes = file.Length - good;
            if (cutBytes > 0)
            {
                file.SetLength(good);
                file.Flush(flushToDisk: true);
            }

            file.Position = good;
            return new WebhookJournal(file, id, good, records, maxBytes, onDurable);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Appends a record and completes once it is on disk, with its sequence number.</summary>
    /// <exception cref="JournalFullException">The journal would grow beyond its limit.</exception>
    /// <exception cref="IOException">Writing failed; the journal takes no more records until it is opened again.</exception>
    public Task<long> AppendAsync(JournalRecordType type, ReadOnlyMemory<byte> payload, object? tag)
    {
        long size = HeaderBytes + payload.Length;
        lock (_sizeLock)
        {
            if (_broken is not null)
            {
                return Task.FromException<long>(new IOException("The journal failed to write earlier and takes no more records.", _broken));
            }

            if (_reservedBytes + size > _maxBytes)
            {
                return Task.FromException<long>(new JournalFullException(
                    $"The journal {Path} would exceed its limit of {_maxBytes} bytes; the delivery is refused so that the server sends it again later."));
            }

            _reservedBytes += size;
        }

        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.Writer.TryWrite(new PendingAppend(type, payload, tag, done)))
        {
            Release(size);
            return Task.FromException<long>(new ObjectDisposedException(nameof(WebhookJournal), "The journal is closed."));
        }

        return done.Task;
    }

    /// <summary>Waits for every append so far, then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
    }

    private void Release(long bytes)
    {
        lock (_sizeLock)
        {
            _reservedBytes -= bytes;
        }
    }
}
