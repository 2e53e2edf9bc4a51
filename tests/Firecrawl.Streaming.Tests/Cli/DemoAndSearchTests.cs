using Firecrawl.Streaming.Sinks.Lucene;
using Firecrawl.Streaming.Tests.Sinks;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary>The demo sample end to end, and <c>fcstream search</c> on what it leaves behind.</summary>
public sealed class DemoAndSearchTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    /// <summary>Runs the demo sample (a fake server, then fcstream against it) with captured output.</summary>
    private static async Task<CliResult> DemoAsync(int pages, string output)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = await Firecrawl.Streaming.Demo.DemoRun.RunAsync(pages, output, stdout, stderr, Ct);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Demo_SmallJob_StreamsIntoBothSinksSummarizesAndSearches()
    {
        string output = _directory.Combine("demo");

        CliResult result = await DemoAsync(150, output);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("Demo: a fake Firecrawl server at http://127.0.0.1:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Started crawl ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("done delivered=150 completed=150 status=completed", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"summary sink=lucene:{Path.Combine(output, "index")} pages=150", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"summary sink=jsonl:{Path.Combine(output, "pages.jsonl")} pages=150", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(150, File.ReadAllLines(Path.Combine(output, "pages.jsonl")).Length);
        using (LuceneIndex index = LuceneIndex.Open(Path.Combine(output, "index")))
        {
            Assert.Equal(150, index.Count);
        }

        string[] lines = result.Stdout.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains("Searching the new index for pipeline AND sink:", lines);
        Assert.Contains(lines, l => l.StartsWith("1. ", StringComparison.Ordinal) && l.Contains("(score ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("https://docs.example.com/", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"dotnet run --project src/Firecrawl.Streaming.Cli -- search {Path.Combine(output, "index")} ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Demo_RunTwiceIntoTheSameFolder_KeepsEveryPageOnce()
    {
        string output = _directory.Combine("again");

        CliResult first = await DemoAsync(40, output);
        CliResult second = await DemoAsync(40, output);

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Equal(40, File.ReadAllLines(Path.Combine(output, "pages.jsonl")).Length);
    }

    [Fact]
    public async Task Search_DemoIndex_FindsPagesBestFirst()
    {
        string output = _directory.Combine("search");
        Assert.Equal(0, (await DemoAsync(60, output)).ExitCode);

        CliResult result = await CliRun.RunAsync(["search", Path.Combine(output, "index"), "channel", "--top", "2"], cancellationToken: Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        string[] lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(6, lines.Length);
        Assert.StartsWith("1. ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("2. ", lines[3], StringComparison.Ordinal);
        Assert.Contains("**channel**", lines[2], StringComparison.OrdinalIgnoreCase);
        double Score(string line) => double.Parse(line[(line.LastIndexOf("(score ", StringComparison.Ordinal) + 7)..^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Score(lines[0]) >= Score(lines[3]));
    }

    [Fact]
    public async Task Search_NoMatch_SaysSoAndExitsZero()
    {
        string output = _directory.Combine("nomatch");
        Assert.Equal(0, (await DemoAsync(20, output)).ExitCode);

        CliResult result = await CliRun.RunAsync(["search", Path.Combine(output, "index"), "xylophone"], cancellationToken: Ct);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("No page matches \"xylophone\".", result.Stdout.Trim());
    }

    [Fact]
    public async Task Search_NoIndex_ExitsTwoSayingHowToWriteOne()
    {
        string missing = _directory.Combine("missing");

        CliResult result = await CliRun.RunAsync(["search", missing, "anything"], cancellationToken: Ct);

        result.AssertOneSentenceError(2);
        Assert.Contains($"There is no Lucene index in {missing}", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_BadQuerySyntax_ExitsTwoWithoutParameterNoise()
    {
        string output = _directory.Combine("syntax");
        Assert.Equal(0, (await DemoAsync(5, output)).ExitCode);

        CliResult result = await CliRun.RunAsync(["search", Path.Combine(output, "index"), "sink AND ("], cancellationToken: Ct);

        result.AssertOneSentenceError(2);
        Assert.Contains("Invalid search query \"sink AND (\"", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("10001")]
    public async Task Search_TopOutOfRange_ExitsTwo(string top)
    {
        CliResult result = await CliRun.RunAsync(["search", _directory.Combine("any"), "sink", "--top", top], cancellationToken: Ct);

        result.AssertOneSentenceError(2);
        Assert.Contains("--top must be between 1 and 10000", result.Stderr, StringComparison.Ordinal);
    }
}
