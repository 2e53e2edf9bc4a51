using Firecrawl.Streaming.Demo;

return await DemoRun.RunConsoleAsync(args).ConfigureAwait(false);
