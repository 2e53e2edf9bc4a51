using System.Globalization;
using System.Text.Json;
using Firecrawl.Streaming.Checkpoints;

namespace Firecrawl.Streaming.Webhooks;

/// <summary>
/// The receiver's checkpoint: how far into the journal every sink has made the pages durable. The pipeline checkpoints
/// the resume token of the last page every sink holds; each page fed remembers the journal record it completes, so that
/// token becomes a journal position, stored as <c>{"v":1,"journal":"…","through":N}</c>.
/// </summary>
public sealed partial class FirecrawlWebhookReceiver
{
    private readonly Queue<Mark> _marks = new();
    private long _savedThrough = -1;
    private bool _mustSave;

    /// <summary>A page handed to the pipeline, and the last journal record that is fully delivered once it is durable.</summary>
    private sealed class Mark(string token, long through)
    {
        public string Token { get; } = token;

        public long Through { get; set; } = through;
    }

    private async Task<(Guid? Journal, long Through)> LoadCheckpointAsync(CancellationToken cancellationToken)
    {
        string? value = await _checkpoint.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (value is null)
        {
            return (null, -1);
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(value);
            JsonElement root = document.RootElement;
            return (root.GetProperty("journal").GetGuid(), root.GetProperty("through").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException("The checkpoint is not a webhook receiver's checkpoint: give the receiver a checkpoint of its own.", e);
        }
    }

    private async ValueTask SaveCheckpointAsync(long through, CancellationToken cancellationToken)
    {
        if ((through <= _savedThrough && !_mustSave) || _journal is null)
        {
            return;
        }

        _mustSave = false;

        string value = string.Create(CultureInfo.InvariantCulture, $$"""{"v":1,"journal":"{{_journal.Id}}","through":{{through}}}""");
        await _checkpoint.SaveAsync(value, cancellationToken).ConfigureAwait(false);
        _savedThrough = through;
    }

    /// <summary>The pipeline's checkpoint, translated to a journal position.</summary>
    private async ValueTask OnPipelineCheckpointAsync(string value, CancellationToken cancellationToken)
    {
        if (!PipelineCheckpoint.TryParse(value, out PipelineCheckpoint? checkpoint) || checkpoint.ResumeAfter is not { } token)
        {
            return;
        }

        long through = -1;
        lock (_marks)
        {
            // Only a token handed out is trusted: an unknown one must not carry the checkpoint past pages not yet durable.
            int upTo = 0;
            foreach (Mark mark in _marks)
            {
                upTo++;
                if (string.Equals(mark.Token, token, StringComparison.Ordinal))
                {
                    break;
                }

                if (upTo == _marks.Count)
                {
                    return;
                }
            }

            for (int i = 0; i < upTo; i++)
            {
                through = _marks.Dequeue().Through;
            }
        }

        await SaveCheckpointAsync(Math.Min(through, Volatile.Read(ref _heldAt) - 1), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The store the pipeline checkpoints into: it never loads (the receiver resumes from the journal).</summary>
    private sealed class JournalCheckpoint(FirecrawlWebhookReceiver receiver) : ICheckpointStore
    {
        public ValueTask<string?> LoadAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<string?>(null);

        public ValueTask SaveAsync(string resumeToken, CancellationToken cancellationToken = default) =>
            receiver.OnPipelineCheckpointAsync(resumeToken, cancellationToken);
    }
}
