using System.CommandLine;

namespace Firecrawl.Streaming.Cli;

/// <summary>
/// The <c>fcstream</c> command line, runnable in-process: arguments, standard output and error, and the
/// environment are passed in, so tests capture everything and the real environment is never touched.
/// </summary>
internal static class FcstreamApp
{
    public static async Task<int> RunAsync(
        string[] args,
        TextWriter stdout,
        TextWriter stderr,
        IReadOnlyDictionary<string, string?>? environment = null,
        CancellationToken cancellationToken = default)
    {
        var context = new AppContext(stdout, stderr, name => environment is null ? Environment.GetEnvironmentVariable(name) : environment.GetValueOrDefault(name), environment is null && !Console.IsErrorRedirected);
        var root = new RootCommand("Stream Firecrawl batch-scrape results into files, blobs and search indexes.")
        {
            BatchCommand.Create(context),
            SearchCommand.Create(context),
            DemoCommand.Create(context),
        };

        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            stderr.WriteLine($"fcstream: {parsed.Errors[0].Message.TrimEnd('.')}. Run 'fcstream --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (Exception e)
        {
            return ErrorReporter.Report(e, stderr, context.ApiKeyInUse);
        }
    }
}

/// <summary>What the commands share: the output writers, the environment and whether standard error is a terminal.</summary>
internal sealed class AppContext(TextWriter stdout, TextWriter stderr, Func<string, string?> environment, bool stderrIsTerminal)
{
    public TextWriter Stdout { get; } = stdout;

    public TextWriter Stderr { get; } = stderr;

    public bool StderrIsTerminal { get; } = stderrIsTerminal;

    /// <summary>Gets or sets the key of the current run, so that no message can echo it.</summary>
    public string? ApiKeyInUse { get; set; }

    public string? Environment(string name) => environment(name);
}
