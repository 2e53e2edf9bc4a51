namespace Firecrawl.Streaming.Tests.Cli;

public class DemoAndSearchCommandTests : CliTestBase
{
    [Fact]
    public async Task Demo_SmallJob_RunsToCompletionAndSearches()
    {
        string output = Temp.Combine("demo");

        Run run = await RunAsync(new Dictionary<string, string?>(), Ct, "demo", "--pages", "300", "--out", output);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Delivered 300 pages", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("all accounted for", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("A search for \"pipeline\"", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("**pipeline**", run.Stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("-- search", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(300, File.ReadAllLines(Path.Combine(output, "pages.jsonl")).Length);

        Run again = await RunAsync(new Dictionary<string, string?>(), Ct, "demo", "--pages", "50", "--out", output);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(50, File.ReadAllLines(Path.Combine(output, "pages.jsonl")).Length);

        Run search = await RunAsync("search", Path.Combine(output, "index"), "markdown", "--top", "2");
        Assert.Equal(0, search.ExitCode);
        Assert.Contains("Top 2 of 50 indexed pages", search.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_NoIndex_ExitsWithSentence()
    {
        Run run = await RunAsync("search", Temp.Combine("nowhere"), "x");

        AssertOneClearSentence(run, 2, "There is no search index");
    }

    [Fact]
    public async Task Search_BadQuerySyntax_ExitsWithSentence()
    {
        string output = Temp.Combine("demo");
        Assert.Equal(0, (await RunAsync(new Dictionary<string, string?>(), Ct, "demo", "--pages", "20", "--out", output)).ExitCode);

        Run run = await RunAsync("search", Path.Combine(output, "index"), "title:(open");

        AssertOneClearSentence(run, 2, "Invalid search query \"title:(open\"");
    }

    [Fact]
    public async Task UnknownCommand_ExitsWithUsageSentence()
    {
        Run run = await RunAsync("frobnicate");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("fcstream: ", run.Stderr, StringComparison.Ordinal);
    }
}
