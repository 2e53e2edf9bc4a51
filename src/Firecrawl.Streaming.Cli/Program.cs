using Firecrawl.Streaming.Cli;

// Ctrl+C stops the run cleanly (sinks flushed up to the last checkpoint) instead of killing the process.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await FcstreamApp.RunAsync(args, Console.Out, Console.Error, environment: null, cancellation.Token);
