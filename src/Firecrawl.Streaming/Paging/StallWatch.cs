namespace Firecrawl.Streaming;

/// <summary>Notices a scraping job that stops making progress, so a stream does not poll forever.</summary>
internal sealed class StallWatch(TimeProvider time, TimeSpan limit)
{
    private long _lastProgress = time.GetTimestamp();
    private (long Total, long Completed) _lastCounts = (-1, -1);

    /// <summary>Records one response; true when the job has not moved for longer than the limit.</summary>
    public bool Observe(bool newPages, JobStatus status)
    {
        var counts = (status.Total, status.Completed);
        if (newPages || counts != _lastCounts)
        {
            _lastCounts = counts;
            _lastProgress = time.GetTimestamp();
            return false;
        }

        return time.GetElapsedTime(_lastProgress) > limit;
    }
}
