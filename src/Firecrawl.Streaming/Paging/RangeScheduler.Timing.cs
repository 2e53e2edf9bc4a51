namespace Firecrawl.Streaming;

/// <summary>
/// Transfer slots and request timing. At most <see cref="AdaptiveConcurrency.Current"/> bodies transfer at once: a
/// request may be answered early, but its body is read only when fewer than that many bodies are transferring and fewer
/// than that many chunks before it in job order are still held (so at most that many bodies are ever buffered). The
/// chunk in turn never waits: chunks after it cannot be handed out before it, and a chunk at a gap the cap opened may
/// therefore briefly be one transfer more. A further request is sent when the timing says a slot frees within one
/// measured time to first byte: each transferring body's bytes still expected ÷ its measured rate, then each request
/// waiting for its first byte or a slot, in job order. Requests open at once are at most
/// <see cref="RequestsPerTransfer"/> × the concurrency; the ones without a slot hold only their socket's buffer.
/// </summary>
internal sealed partial class RangeScheduler
{
    /// <summary>Requests open per transfer slot, at most (the walk's chunk included).</summary>
    public const int RequestsPerTransfer = 3;

    /// <summary>A body's own rate is trusted after this many bytes (before, the walk's last measured rate is used).</summary>
    private const long RateAfterBytes = 64 * 1024;

    private readonly TimeProvider _time;
    private long _capBytes = ServerChunkCap;
    private long _bytesPerPage;
    private double _ttfb = -1; // timestamp ticks from request to headers; negative until measured
    private double _rate; // bytes per timestamp tick of one transfer; 0 until measured

    /// <summary>Gets the most bodies that transferred at once.</summary>
    public int PeakTransfers { get; private set; }

    /// <summary>Gets the most requests that were open at once (the walk's chunk included).</summary>
    public int PeakRequests { get; private set; }

    private int Requests => _held.Count + (_current is null ? 0 : 1);

    /// <summary>A chunk's request (the first or a retry) is being sent.</summary>
    public void OnSent(ChunkSession chunk)
    {
        lock (_gate)
        {
            chunk.Transfer.Sent(_time.GetTimestamp());
            PeakRequests = Math.Max(PeakRequests, Requests);
        }
    }

    /// <summary>A chunk's headers arrived: it may read its body now, or once a transfer slot is free.</summary>
    public ValueTask WaitForSlotAsync(ChunkSession chunk, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            ChunkTransfer transfer = chunk.Transfer;
            transfer.FirstByteAt = now;
            double sample = now - transfer.SentAt;
            _ttfb = _ttfb < 0 ? sample : (_ttfb + sample) / 2;
            if (CanStart(chunk))
            {
                Start(chunk, now);
                Fill();
                return default;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            transfer.Waiter = waiter;
            Fill();
            return new ValueTask(waiter.Task.WaitAsync(cancellationToken));
        }
    }

    /// <summary>A read of a chunk's body: 0 bytes is its end.</summary>
    public void OnRead(ChunkSession chunk, int read)
    {
        lock (_gate)
        {
            if (read == 0)
            {
                End(chunk);
            }
            else
            {
                chunk.Transfer.Bytes += read;
                if (IsPaused(chunk))
                {
                    Wake(); // waiting for its turn, it no longer uses the link
                }
            }

            Fill();
        }
    }

    /// <summary>A chunk's body failed (a retry sends it again) or was stopped.</summary>
    public void OnBodyEnded(ChunkSession chunk)
    {
        lock (_gate)
        {
            End(chunk);
            Fill();
        }
    }

    /// <summary>
    /// A chunk is disposed: it no longer holds a place in job order or a transfer slot. Nothing new is requested here: a
    /// stream that fails or stops disposes its chunks on the way out, and the walk's next chunk plans its own requests.
    /// </summary>
    public void Unregister(ChunkSession chunk)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_current, chunk))
            {
                _current = null;
            }
            else if (_held.TryGetValue(chunk.Skip, out ChunkSession? held) && ReferenceEquals(held, chunk))
            {
                _held.Remove(chunk.Skip);
            }

            Wake();
        }
    }

    private void End(ChunkSession chunk)
    {
        ChunkTransfer transfer = chunk.Transfer;
        if (transfer.Ended)
        {
            return;
        }

        transfer.Ended = true;
        long elapsed = _time.GetTimestamp() - transfer.StartedAt;
        if (transfer.Started && transfer.Bytes >= RateAfterBytes && elapsed > 0)
        {
            double sample = (double)transfer.Bytes / elapsed;
            _rate = _rate <= 0 ? sample : (_rate + sample) / 2;
        }

        Wake();
    }

    /// <summary>Whether a chunk whose headers arrived may read its body now.</summary>
    private bool CanStart(ChunkSession chunk)
    {
        if (ReferenceEquals(chunk, _current))
        {
            return true;
        }

        int index = _held.IndexOfKey(chunk.Skip);
        if (index < 0 || !ReferenceEquals(_held.Values[index], chunk))
        {
            return true; // no longer wanted: it is being stopped
        }

        int slots = Concurrency.Current;
        return index + (_current is null ? 0 : 1) < slots && Transferring() < slots;
    }

    private void Start(ChunkSession chunk, long now)
    {
        chunk.Transfer.Started = true;
        chunk.Transfer.StartedAt = now;
        PeakTransfers = Math.Max(PeakTransfers, Transferring());
    }

    /// <summary>Lets waiting chunks transfer, in job order, while slots allow.</summary>
    private void Wake()
    {
        long now = _time.GetTimestamp();
        for (int i = 0; i < OpenCount; i++)
        {
            ChunkSession chunk = OpenAt(i);
            if (chunk.Transfer.Waiter is TaskCompletionSource waiter && CanStart(chunk))
            {
                chunk.Transfer.Waiter = null;
                Start(chunk, now);
                waiter.TrySetResult();
            }
        }
    }

    /// <summary>The bodies transferring now: let go, not ended, not waiting for their turn at their read-ahead budget.</summary>
    private int Transferring()
    {
        int count = 0;
        for (int i = 0; i < OpenCount; i++)
        {
            ChunkSession chunk = OpenAt(i);
            if (chunk.Transfer.IsActive && !IsPaused(chunk))
            {
                count++;
            }
        }

        return count;
    }

    private static bool IsPaused(ChunkSession chunk) => chunk.Transfer.Bytes >= ChunkSession.ReadAheadBytes && !chunk.IsTurn;

    /// <summary>Gets the number of open chunks: the walk's and those read ahead (see <see cref="OpenAt"/>).</summary>
    private int OpenCount => Requests;

    /// <summary>The open chunk at <paramref name="index"/> in job order: the walk's first, then those read ahead (no enumerator: this runs on every body read).</summary>
    private ChunkSession OpenAt(int index) => _current is null ? _held.Values[index] : index == 0 ? _current : _held.Values[index - 1];

    /// <summary>
    /// Whether a request sent now would find a transfer slot free by the time its first byte arrives: slots are freed at
    /// each transferring body's predicted end, then taken in job order by the requests already waiting.
    /// </summary>
    private bool LaunchDue()
    {
        long now = _time.GetTimestamp();
        if (_rate <= 0)
        {
            // No body has ended yet: the first one far enough along tells the link's rate.
            for (int i = 0; i < OpenCount; i++)
            {
                ChunkSession chunk = OpenAt(i);
                if (chunk.Transfer.IsActive && RateOf(chunk.Transfer, now) is double rate)
                {
                    _rate = rate;
                    break;
                }
            }
        }

        if (_ttfb < 0 || _rate <= 0)
        {
            return false;
        }

        int count = Math.Min(Concurrency.Current, 64);
        Span<double> slots = stackalloc double[count];
        slots.Fill(now);
        for (int i = 0; i < OpenCount; i++)
        {
            ChunkSession chunk = OpenAt(i);
            ChunkTransfer transfer = chunk.Transfer;
            if (transfer.IsActive && !IsPaused(chunk))
            {
                double rate = RateOf(transfer, now) ?? _rate;
                Take(slots, now + (Math.Max(0, transfer.ExpectedBytes - transfer.Bytes) / rate));
            }
        }

        for (int i = 0; i < OpenCount; i++)
        {
            ChunkSession chunk = OpenAt(i);
            ChunkTransfer transfer = chunk.Transfer;
            if (!transfer.Started && !transfer.Ended)
            {
                double firstByte = transfer.FirstByteAt != 0 ? transfer.FirstByteAt : (transfer.SentAt != 0 ? transfer.SentAt : now) + _ttfb;
                int slot = Earliest(slots);
                slots[slot] = Math.Max(slots[slot], firstByte) + (transfer.ExpectedBytes / _rate);
            }
        }

        return slots[Earliest(slots)] <= now + _ttfb;

        static void Take(Span<double> slots, double end)
        {
            int slot = Earliest(slots);
            slots[slot] = Math.Max(slots[slot], end);
        }
    }

    /// <summary>A transferring body's own rate (bytes per tick), once it has read enough to tell.</summary>
    private static double? RateOf(ChunkTransfer transfer, long now)
    {
        long elapsed = now - transfer.StartedAt;
        return transfer.Bytes >= RateAfterBytes && elapsed > 0 ? (double)transfer.Bytes / elapsed : null;
    }

    private static int Earliest(Span<double> slots)
    {
        int best = 0;
        for (int i = 1; i < slots.Length; i++)
        {
            if (slots[i] < slots[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>The body size expected for a chunk of <paramref name="limit"/> pages, at most one capped response.</summary>
    private long ExpectedBytes(int? limit)
    {
        long pages = limit ?? (_serverPageSize > 0 ? _serverPageSize : 100);
        return _bytesPerPage > 0 ? Math.Min(pages * _bytesPerPage, _capBytes) : _capBytes;
    }
}
