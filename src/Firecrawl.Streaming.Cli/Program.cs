using Firecrawl.Streaming.Cli;

return await FcstreamApp.RunConsoleAsync(args).ConfigureAwait(false);
