namespace Firecrawl.Streaming;

/// <summary>The top-level fields of one batch status response, filled in as they stream past.</summary>
internal struct ChunkEnvelope
{
    public bool? Success;
    public string? Status;
    public long? Total;
    public long? Completed;
    public long? CreditsUsed;
    public DateTimeOffset? ExpiresAt;
    public string? Next;
    public string? Error;
    public string? Warning;
    public DateTimeOffset? CreatedAt;
    public DateTimeOffset? CompletedAt;
    public TimeSpan? Duration;
    public bool HasData;
}
