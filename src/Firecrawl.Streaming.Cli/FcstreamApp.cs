using System.CommandLine;
using System.CommandLine.Help;
using System.Runtime.InteropServices;
using Firecrawl.Streaming.Cli.Commands;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.IO;

namespace Firecrawl.Streaming.Cli;

/// <summary>
/// The <c>fcstream</c> application, runnable in-process: tests pass writers for standard output and error and
/// a dictionary for the environment, so they capture everything and never touch the real console or variables.
/// </summary>
public static class FcstreamApp
{
    private static readonly string[] SecretOptions = ["--api-key", "--blob-connection", "--pg-connection", "--amqp", "--state-db", "--secret"];

    /// <summary>
    /// Runs the tool on the process's console, stopping cleanly on Ctrl+C or SIGTERM (a second signal ends it at once):
    /// the sinks flush and the checkpoint is saved first, then it exits 130 after Ctrl+C and 143 after SIGTERM, as
    /// shells and service managers expect.
    /// </summary>
    /// <param name="args">The command line, without the program name.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunConsoleAsync(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        PosixSignal? received = null;
        void Stop(PosixSignalContext context)
        {
            if (!cancel.IsCancellationRequested)
            {
                // The first signal stops the run through its token so sinks flush and the checkpoint stays valid.
                received = context.Signal;
                context.Cancel = true;
                cancel.Cancel();
            }
        }

        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        int code = await RunAsync(args, CliConsole.ForProcess(), cancel.Token).ConfigureAwait(false);
        return code == ExitCodes.Cancelled && received == PosixSignal.SIGTERM ? ExitCodes.Terminated : code;
    }

    /// <summary>Runs the tool with the given output writers and environment.</summary>
    /// <param name="args">The command line, without the program name.</param>
    /// <param name="stdout">Standard output: search results and <c>jsonl:-</c> pages.</param>
    /// <param name="stderr">Standard error: progress, summaries and errors.</param>
    /// <param name="environment">The environment variables the run sees; null for the process's own.</param>
    /// <param name="stdin">Standard input (for <c>--urls -</c>); null for an empty one.</param>
    /// <param name="cancellationToken">Stops the run as Ctrl+C would.</param>
    /// <returns>The exit code (see the README's table of exit codes).</returns>
    public static Task<int> RunAsync(
        string[] args,
        TextWriter stdout,
        TextWriter stderr,
        IDictionary<string, string?>? environment = null,
        TextReader? stdin = null,
        CancellationToken cancellationToken = default) =>
        RunAsync(args, new CliConsole(stdout, stderr, environment, stdin: stdin), cancellationToken);

    /// <summary>Runs the tool on <paramref name="console"/>.</summary>
    internal static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        var redactor = new Redactor();
        foreach (string secret in SecretValues(args))
        {
            redactor.Add(secret);
        }

        var services = new AppServices(console, redactor);
        RootCommand root = BuildRoot(services);
        ParseResult parse = root.Parse(args);
        if (args.Length == 0)
        {
            return Fail(console, redactor, ExitCodes.Usage, "No command given; run 'fcstream --help' to see the commands.");
        }

        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            string command = parse.CommandResult.Command is RootCommand ? "fcstream" : $"fcstream {parse.CommandResult.Command.Name}";
            // "Unrecognized command or argument 'crawl'" says more than the "Required command was not provided" beside it.
            string message = parse.Errors.Select(e => e.Message).OrderBy(m => m.StartsWith("Required command", StringComparison.Ordinal) ? 1 : 0).First();
            return Fail(console, redactor, ExitCodes.Usage, $"{message.TrimEnd('.')}; run '{command} --help' for usage.");
        }

        var invocation = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            EnableDefaultExceptionHandler = false,

            // Ctrl+C is handled by the caller's token (RunConsoleAsync), so in-process runs install no handler.
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            (int code, string sentence) = ErrorReporter.Describe(e, cancellationToken);
            return Fail(console, redactor, code, sentence);
        }
    }

    private static RootCommand BuildRoot(AppServices services) =>
        new("fcstream: stream Firecrawl batch-scrape and crawl jobs into JSON Lines files, Markdown folders, a Lucene index or Azure Blob Storage.")
        {
            BatchCommand.Create(services),
            CrawlCommand.Create(services),
            ScrapeCommand.Create(services),
            JobCommands.Cancel(services),
            JobCommands.Errors(services),
            JobCommands.RetryFailed(services),
            SearchCommand.Create(services),
            WorkerCommands.Enqueue(services),
            WorkerCommands.Worker(services),
            ListenCommand.Create(services),
        };

    private static int Fail(CliConsole console, Redactor redactor, int exitCode, string sentence)
    {
        console.Error.WriteLine("error: " + redactor.Redact(ErrorReporter.Sentence(sentence)));
        console.Error.Flush();
        return exitCode;
    }

    /// <summary>The values of <c>--api-key</c> and <c>--blob-connection</c>, in either spelling (<c>--opt value</c>, <c>--opt=value</c>).</summary>
    private static IEnumerable<string> SecretValues(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            foreach (string option in SecretOptions)
            {
                if (args[i] == option && i + 1 < args.Length)
                {
                    yield return args[i + 1];
                }
                else if (args[i].StartsWith(option, StringComparison.Ordinal) && args[i].Length > option.Length + 1 && args[i][option.Length] is '=' or ':')
                {
                    yield return args[i][(option.Length + 1)..];
                }
            }
        }
    }
}
