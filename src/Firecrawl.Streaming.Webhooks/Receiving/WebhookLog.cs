using Microsoft.Extensions.Logging;

namespace Firecrawl.Streaming.Webhooks;

/// <summary>The receiver's log events. None carries a secret, a signature or a body.</summary>
internal static partial class WebhookLog
{
    [LoggerMessage(1, LogLevel.Warning, "Webhook deliveries are accepted without a signature check: anyone who can reach the endpoint can forge pages. Configure the team's webhook secret.")]
    public static partial void UnsignedAccepted(ILogger logger);

    [LoggerMessage(2, LogLevel.Warning, "A webhook delivery was refused: its signature is {Reason}.")]
    public static partial void SignatureRejected(ILogger logger, string reason);

    [LoggerMessage(3, LogLevel.Warning, "A webhook delivery was refused as malformed: {Reason}")]
    public static partial void Malformed(ILogger logger, string reason);

    [LoggerMessage(4, LogLevel.Error, "A webhook delivery was refused with 503 because the journal cannot take it: {Reason}")]
    public static partial void JournalRefused(ILogger logger, string reason);

    [LoggerMessage(5, LogLevel.Warning, "Cut {Bytes} bytes of a torn record from the end of {Path} (written during a crash, never acknowledged).")]
    public static partial void TornTailCut(ILogger logger, long bytes, string path);

    [LoggerMessage(6, LogLevel.Warning, "The checkpoint belongs to another journal than {Path}: every journaled event is delivered again.")]
    public static partial void ForeignCheckpoint(ILogger logger, string path);

    [LoggerMessage(7, LogLevel.Information, "Reconciled job {JobId}: {Pushed} pages pushed, {Pulled} pulled, {Failed} failed, {Unaccounted} unaccounted.")]
    public static partial void Reconciled(ILogger logger, string jobId, long pushed, long pulled, int failed, long unaccounted);

    [LoggerMessage(8, LogLevel.Error, "Job {JobId} could not be reconciled with its status endpoint; it is pulled again at the next start: {Reason}")]
    public static partial void ReconcileFailed(ILogger logger, string jobId, string reason);

    [LoggerMessage(9, LogLevel.Error, "A handler failed on {What} of job {JobId}.")]
    public static partial void HandlerFailed(ILogger logger, string what, string jobId, Exception error);

    [LoggerMessage(10, LogLevel.Error, "Delivery to the sinks failed; events are still journaled and acknowledged, and are delivered at the next start.")]
    public static partial void PipelineFailed(ILogger logger, Exception error);

    [LoggerMessage(11, LogLevel.Information, "Compacted {Path} from {Before} to {After} bytes: the events of reconciled jobs were dropped.")]
    public static partial void Compacted(ILogger logger, string path, long before, long after);
}
