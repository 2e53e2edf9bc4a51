using Firecrawl.Streaming.Cli;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary>The outcome of one in-process run of fcstream.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Asserts the shape every failure must have: one line on stderr, a sentence, no stack trace, no secret.</summary>
    public void AssertOneSentenceError(int exitCode, params string[] secrets)
    {
        Assert.True(ExitCode == exitCode, $"exit code {ExitCode}, expected {exitCode}; stderr: {Stderr}");
        string line = Assert.Single(StderrLines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.EndsWith(".", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", Stderr, StringComparison.Ordinal);
        foreach (string secret in secrets)
        {
            Assert.DoesNotContain(secret, Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, Stdout, StringComparison.Ordinal);
        }
    }
}

/// <summary>Runs fcstream in-process with captured output and an injected environment.</summary>
public static class CliRun
{
    public static Task<CliResult> RunAsync(string[] args, IDictionary<string, string?>? environment = null, CancellationToken cancellationToken = default) =>
        RunWithInputAsync(args, stdin: null, environment, cancellationToken);

    public static async Task<CliResult> RunWithInputAsync(string[] args, string? stdin, IDictionary<string, string?>? environment = null, CancellationToken cancellationToken = default)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var input = new StringReader(stdin ?? string.Empty);
        int code = await FcstreamApp.RunAsync(args, stdout, stderr, environment ?? new Dictionary<string, string?>(), input, cancellationToken);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}
