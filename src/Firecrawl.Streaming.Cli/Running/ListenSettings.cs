namespace Firecrawl.Streaming.Cli.Running;

/// <summary>What <c>fcstream listen</c> adds to a streaming run's settings.</summary>
internal sealed record ListenSettings
{
    public required Uri Listen { get; init; }

    public required string Path { get; init; }

    /// <summary>Gets the secret given with <c>--secret</c>; null falls back to <c>FIRECRAWL_WEBHOOK_SECRET</c>.</summary>
    public string? Secret { get; init; }

    public required string JournalDirectory { get; init; }

    public bool Once { get; init; }

    public TimeSpan QuietPeriod { get; init; }

    public bool AllowUnsigned { get; init; }
}
