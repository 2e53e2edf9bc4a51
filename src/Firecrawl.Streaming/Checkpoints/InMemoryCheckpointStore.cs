namespace Firecrawl.Streaming.Checkpoints;

/// <summary>A checkpoint store in memory, for tests and for runs that resume within one process.</summary>
public sealed class InMemoryCheckpointStore : ICheckpointStore
{
    private readonly Lock _lock = new();
    private readonly List<string> _history = [];
    private string? _token;

    /// <summary>Creates a store, optionally holding a value already (a checkpoint, or a plain resume token).</summary>
    /// <param name="resumeToken">The initial value, or null.</param>
    public InMemoryCheckpointStore(string? resumeToken = null) => _token = resumeToken;

    /// <summary>Gets the stored value (see <see cref="PipelineCheckpoint.Parse"/>), or null.</summary>
    public string? ResumeToken
    {
        get
        {
            lock (_lock)
            {
                return _token;
            }
        }
    }

    /// <summary>Gets every value saved so far, oldest first.</summary>
    public IReadOnlyList<string> History
    {
        get
        {
            lock (_lock)
            {
                return [.. _history];
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask<string?> LoadAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(ResumeToken);
    }

    /// <inheritdoc/>
    public ValueTask SaveAsync(string resumeToken, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resumeToken);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _token = resumeToken;
            _history.Add(resumeToken);
        }

        return ValueTask.CompletedTask;
    }
}
