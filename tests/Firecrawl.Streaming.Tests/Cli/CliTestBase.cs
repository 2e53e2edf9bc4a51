using Firecrawl.Streaming.Cli;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary>Runs <c>fcstream</c> in-process against the fake server, capturing its output.</summary>
public abstract class CliTestBase : FakeServerTestBase, IDisposable
{
    protected TempDirectory Temp { get; } = new();

    public void Dispose()
    {
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }

    protected sealed record Run(int ExitCode, string Stdout, string Stderr);

    protected static async Task<Run> RunAsync(IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await FcstreamApp.RunAsync(args, stdout, stderr, environment, cancellationToken);
        return new Run(code, stdout.ToString(), stderr.ToString());
    }

    protected Task<Run> RunAsync(params string[] args) => RunAsync(Environment(), Ct, args);

    protected Dictionary<string, string?> Environment(string? apiKey = null) => new() { ["FIRECRAWL_API_KEY"] = apiKey ?? Server.ApiKey };

    protected string[] Batch(string jobId, params string[] rest) =>
        ["batch", jobId, "--api-url", Server.BaseAddress.ToString(), "--poll-interval", "0.02", .. rest];

    /// <summary>A failed run: non-zero, exactly one sentence on standard error, no stack trace, no key.</summary>
    protected static void AssertOneClearSentence(Run run, int exitCode, string expected)
    {
        Assert.Equal(exitCode, run.ExitCode);
        // Progress lines may precede it; the error itself is one line.
        string[] lines = [.. run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("progress ", StringComparison.Ordinal))];
        string line = Assert.Single(lines);
        Assert.StartsWith("fcstream: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }
}
