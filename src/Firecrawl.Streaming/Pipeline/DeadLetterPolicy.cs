namespace Firecrawl.Streaming.Pipeline;

/// <summary>What the pipeline does with a page a sink still cannot write after its retries (<see cref="SinkOptions.DeadLetter"/>).</summary>
public enum DeadLetterPolicy
{
    /// <summary>The run fails with the sink's exception, after the other sinks are drained and checkpointed. The default.</summary>
    FailRun,

    /// <summary>
    /// The page is set aside in the JSON Lines file <see cref="SinkOptions.DeadLetterPath"/> (the page's original JSON, the
    /// sink's name, the error's type and message, the time) and the sink goes on with the next page. When a batch fails,
    /// each of its pages is written on its own once, so only the pages that fail alone are set aside; if every page of a
    /// batch of two or more fails alone, the sink is failing rather than a page, and the run fails as with
    /// <see cref="FailRun"/>.
    /// </summary>
    WriteToFile,
}
