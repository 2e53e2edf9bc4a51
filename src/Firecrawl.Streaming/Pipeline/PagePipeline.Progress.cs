namespace Firecrawl.Streaming.Pipeline;

/// <summary>Progress snapshots and the final result.</summary>
internal sealed partial class PagePipeline
{
    private ITimer? StartProgress()
    {
        if (_options.Progress is null)
        {
            return null;
        }

        TimeSpan interval = _options.ProgressInterval;
        return _time.CreateTimer(static state => ((PagePipeline)state!).ReportProgress(), this, interval, interval);
    }

    private void ReportProgress() => _options.Progress!.Report(Snapshot(isFinal: false));

    private PipelineProgress Snapshot(bool isFinal)
    {
        TimeSpan elapsed = Elapsed;
        double seconds = Math.Max(elapsed.TotalSeconds, 1e-3);
        var sinks = new SinkProgress[_runners.Length];
        for (int i = 0; i < sinks.Length; i++)
        {
            SinkRunner runner = _runners[i];
            long written = runner.PagesWritten;
            sinks[i] = new SinkProgress
            {
                Name = runner.Sink.Name,
                PagesWritten = written,
                BytesWritten = runner.BytesWritten,
                PagesDurable = runner.PagesDurable,
                PagesPerSecond = written / seconds,
                QueueDepth = runner.QueueDepth,
                Retries = runner.Retries,
            };
        }

        return new PipelineProgress
        {
            PagesRead = Interlocked.Read(ref _pagesRead),
            BytesRead = Interlocked.Read(ref _bytesRead),
            JobStatus = _status?.Status,
            Coverage = _status?.Coverage,
            Elapsed = elapsed,
            LastCheckpoint = Watermark.LastCheckpoint,
            IsFinal = isFinal,
            Sinks = sinks,
        };
    }

    private PipelineResult BuildResult()
    {
        var sinks = new SinkResult[_runners.Length];
        for (int i = 0; i < sinks.Length; i++)
        {
            SinkRunner runner = _runners[i];
            sinks[i] = new SinkResult
            {
                Name = runner.Sink.Name,
                PagesWritten = runner.PagesWritten,
                BytesWritten = runner.BytesWritten,
                PagesDurable = runner.PagesDurable,
                PagesDeadLettered = runner.PagesDeadLettered,
                Retries = runner.Retries,
                Elapsed = runner.Elapsed,
                Error = runner.Error,
            };
        }

        long deadLettered = _deadLettered.Count;
        return new PipelineResult
        {
            PagesRead = Interlocked.Read(ref _pagesRead),
            BytesRead = Interlocked.Read(ref _bytesRead),
            PagesDurable = Watermark.PagesCovered,
            PagesDeadLettered = deadLettered,
            Elapsed = Elapsed,
            LastCheckpoint = Watermark.LastCheckpoint,
            Coverage = _status?.Coverage is { } coverage ? coverage with { DeadLettered = deadLettered } : null,
            Sinks = sinks,
        };
    }
}
