namespace Firecrawl.Streaming.Cli.IO;

/// <summary>
/// Where a run of the tool reads its environment and writes its output. The real process uses the console;
/// tests pass writers and a dictionary, so they capture everything and never touch the real environment.
/// </summary>
internal sealed class CliConsole
{
    private readonly IDictionary<string, string?>? _environment;
    private readonly Func<Stream> _openStdout;

    public CliConsole(
        TextWriter stdout,
        TextWriter stderr,
        IDictionary<string, string?>? environment = null,
        Func<Stream>? openStdout = null,
        bool errorIsTerminal = false,
        bool outputIsTerminal = false,
        bool isProcessConsole = false,
        TextReader? stdin = null)
    {
        IsProcessConsole = isProcessConsole;
        In = stdin ?? TextReader.Null;
        Out = stdout;
        Error = stderr;
        _environment = environment;
        _openStdout = openStdout ?? (() => new TextWriterStream(stdout));
        ErrorIsTerminal = errorIsTerminal;
        OutputIsTerminal = outputIsTerminal;
    }

    /// <summary>Gets standard input: URL lists given as <c>--urls -</c>.</summary>
    public TextReader In { get; }

    /// <summary>Gets standard output: results (search hits, <c>jsonl:-</c> pages).</summary>
    public TextWriter Out { get; }

    /// <summary>Gets standard error: progress, summaries and errors.</summary>
    public TextWriter Error { get; }

    /// <summary>Gets a value indicating whether standard error is a terminal, where an animated display makes sense.</summary>
    public bool ErrorIsTerminal { get; }

    /// <summary>Gets a value indicating whether standard output is a terminal, where highlighting with colours makes sense.</summary>
    public bool OutputIsTerminal { get; }

    /// <summary>Gets a value indicating whether this is the process's own console, whose colour support can be detected.</summary>
    public bool IsProcessConsole { get; }

    /// <summary>The console of this process.</summary>
    public static CliConsole ForProcess() => new(
        Console.Out,
        Console.Error,
        environment: null,
        openStdout: Console.OpenStandardOutput,
        errorIsTerminal: !Console.IsErrorRedirected,
        outputIsTerminal: !Console.IsOutputRedirected,
        isProcessConsole: true,
        stdin: Console.In);

    /// <summary>Opens standard output as bytes, for sinks that write pages as they arrived.</summary>
    public Stream OpenStdout() => _openStdout();

    /// <summary>
    /// Whether output to a stream that is (or is not) a terminal may be coloured: never when <c>NO_COLOR</c> is set to
    /// anything (no-color.org) or <c>TERM</c> is <c>dumb</c>.
    /// </summary>
    public bool UseColour(bool isTerminal) =>
        isTerminal
        && string.IsNullOrEmpty(GetVariable("NO_COLOR"))
        && !string.Equals(GetVariable("TERM"), "dumb", StringComparison.Ordinal);

    /// <summary>Reads an environment variable: from the injected dictionary when there is one, else from the process.</summary>
    public string? GetVariable(string name)
    {
        if (_environment is null)
        {
            return Environment.GetEnvironmentVariable(name);
        }

        return _environment.TryGetValue(name, out string? value) ? value : null;
    }
}
