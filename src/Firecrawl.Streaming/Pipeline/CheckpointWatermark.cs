using System.Diagnostics;
using Firecrawl.Streaming.Checkpoints;
using Microsoft.Extensions.Logging;

namespace Firecrawl.Streaming.Pipeline;

/// <summary>
/// The checkpoint as a watermark over the pages read: the last page that every sink has made durable. Pages
/// are numbered in read order (every sink sees every page in that order), each sink reports the number of the
/// last page its latest flush covered, and the minimum over the sinks is the page whose resume token is stored, as a
/// <see cref="PipelineCheckpoint"/> naming every sink of the run. A sink that failed reports nothing more, so it holds
/// the checkpoint at the last page it made durable.
/// </summary>
internal sealed class CheckpointWatermark : IDisposable
{
    private readonly Lock _lock = new();

    // Tokens of pages read but not yet covered; bounded by the pages in the queues plus those awaiting a flush.
    private readonly Queue<(long Sequence, string Token)> _tokens = new();
    private readonly long[] _durableThrough;
    private readonly ICheckpointStore? _store;
    private readonly PipelineMetrics _metrics;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _saveGate = new(1, 1);
    private readonly string[] _sinkNames;
    private long _covered = -1;
    private string? _coveredToken;
    private long _saved = -1;

    public CheckpointWatermark(string[] sinkNames, ICheckpointStore? store, string? resumedFrom, PipelineMetrics metrics, ILogger logger)
    {
        _sinkNames = sinkNames;
        _durableThrough = new long[sinkNames.Length];
        Array.Fill(_durableThrough, -1);
        _store = store;
        _coveredToken = resumedFrom;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Gets the resume token of the last page every sink has made durable, or the one the run resumed from.</summary>
    public string? LastCheckpoint
    {
        get
        {
            lock (_lock)
            {
                return _coveredToken;
            }
        }
    }

    /// <summary>Gets the number of pages read in this run that every sink has made durable.</summary>
    public long PagesCovered
    {
        get
        {
            lock (_lock)
            {
                return _covered + 1;
            }
        }
    }

    /// <summary>Records the token of the page numbered <paramref name="sequence"/>; called in read order.</summary>
    public void OnRead(long sequence, string resumeToken)
    {
        lock (_lock)
        {
            _tokens.Enqueue((sequence, resumeToken));
        }
    }

    /// <summary>
    /// Records that sink <paramref name="sink"/> has made pages up to <paramref name="durableThrough"/> durable and,
    /// when that moves the watermark, stores the new checkpoint.
    /// </summary>
    public async ValueTask OnDurableAsync(int sink, long durableThrough, CancellationToken cancellationToken)
    {
        long sequence;
        string token;
        lock (_lock)
        {
            _durableThrough[sink] = Math.Max(_durableThrough[sink], durableThrough);
            long min = _durableThrough.Min();
            if (min <= _covered)
            {
                return;
            }

            while (_tokens.TryPeek(out (long Sequence, string Token) head) && head.Sequence <= min)
            {
                _coveredToken = _tokens.Dequeue().Token;
            }

            _covered = min;
            sequence = min;
            token = _coveredToken!;
        }

        if (_store is null)
        {
            return;
        }

        // One save at a time, and never an older token after a newer one: two sinks may move the watermark
        // at almost the same moment and reach this point in either order.
        await _saveGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (sequence > _saved)
            {
                using Activity? span = FirecrawlStreamingDiagnostics.Source.StartActivity("firecrawl.checkpoint", ActivityKind.Internal);
                span?.SetTag("firecrawl.checkpoint.pages", sequence + 1);
                await _store.SaveAsync(Checkpoint(token), cancellationToken).ConfigureAwait(false);
                _saved = sequence;
                _metrics.Checkpoints.Add(1);
                Log.CheckpointSaved(_logger, sequence + 1);
            }
        }
        finally
        {
            _saveGate.Release();
        }
    }

    public void Dispose() => _saveGate.Dispose();

    /// <summary>What the store keeps: the checkpoint with the run's sinks, or the bare token should it not parse (a job id the token format cannot hold).</summary>
    private string Checkpoint(string token) =>
        ResumeToken.TryParse(token, out JobKind kind, out string jobId, out _, out _)
            ? new PipelineCheckpoint(kind, jobId, token, _sinkNames).Format()
            : token;
}
