namespace Firecrawl.Streaming.Cli.Progress;

/// <summary>Shows a run's progress while it goes and its summary when it ends, all on standard error.</summary>
internal interface IRunDisplay
{
    /// <summary>Gets how often the pipeline should report progress to this display.</summary>
    TimeSpan ProgressInterval { get; }

    /// <summary>Runs <paramref name="run"/> while showing the progress <paramref name="monitor"/> collects.</summary>
    Task<T> ShowAsync<T>(RunMonitor monitor, Func<Task<T>> run);

    /// <summary>Shows what the run did: per sink pages, bytes and time, and the reconciliation with the job's counts.</summary>
    void Summary(RunReport report);
}

/// <summary>Shows nothing: <c>--quiet</c>.</summary>
internal sealed class QuietDisplay : IRunDisplay
{
    public TimeSpan ProgressInterval => TimeSpan.FromSeconds(5);

    public Task<T> ShowAsync<T>(RunMonitor monitor, Func<Task<T>> run) => run();

    public void Summary(RunReport report)
    {
        // Quiet runs speak only through the exit code and, on failure, the error sentence.
    }
}
