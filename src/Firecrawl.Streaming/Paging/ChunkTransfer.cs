namespace Firecrawl.Streaming;

/// <summary>
/// The timing of one chunk's current request, as the range scheduler sees it: when it was sent, when its headers (the
/// server's first byte) arrived, when it was let transfer its body, how much arrived since, and whether the body has
/// ended. Written and read only under the scheduler's lock; a retry starts it again.
/// </summary>
internal sealed class ChunkTransfer
{
    /// <summary>Gets or sets the body size the scheduler expects (the range's pages × bytes per page seen, at most one capped response).</summary>
    public long ExpectedBytes { get; set; }

    /// <summary>Gets or sets when the request was sent (a <see cref="TimeProvider"/> timestamp; 0 before).</summary>
    public long SentAt { get; set; }

    /// <summary>Gets or sets when the response's headers arrived (0 before).</summary>
    public long FirstByteAt { get; set; }

    /// <summary>Gets or sets a value indicating whether the body was let transfer (false while it waits for a transfer slot).</summary>
    public bool Started { get; set; }

    /// <summary>Gets or sets when the body was let transfer.</summary>
    public long StartedAt { get; set; }

    /// <summary>Gets or sets the body bytes read since <see cref="StartedAt"/>.</summary>
    public long Bytes { get; set; }

    /// <summary>Gets or sets a value indicating whether the body has ended (read to its end, or failed).</summary>
    public bool Ended { get; set; }

    /// <summary>Gets or sets what a request waiting for a transfer slot waits on.</summary>
    public TaskCompletionSource? Waiter { get; set; }

    /// <summary>Gets a value indicating whether the body is transferring now (let go, not ended).</summary>
    public bool IsActive => Started && !Ended;

    /// <summary>A new request (the first, or a retry) starts the timing again.</summary>
    public void Sent(long now)
    {
        SentAt = now;
        FirstByteAt = 0;
        Started = false;
        StartedAt = 0;
        Bytes = 0;
        Ended = false;
    }
}
