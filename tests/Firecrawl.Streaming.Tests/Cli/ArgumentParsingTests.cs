using Firecrawl.Streaming.Cli.Commands;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.Sinks;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary>Sink specs, field lists and durations: what is accepted, and the sentence for what is not.</summary>
public sealed class ArgumentParsingTests
{
    [Theory]
    [InlineData("jsonl:pages.jsonl", "JsonLines", "pages.jsonl")]
    [InlineData("jsonl:-", "JsonLines", "-")]
    [InlineData("md:./pages", "Markdown", "./pages")]
    [InlineData("markdown:docs", "Markdown", "docs")]
    [InlineData("lucene:/var/index", "Lucene", "/var/index")]
    [InlineData("blob:crawls/2026/11", "Blob", "crawls/2026/11")]
    [InlineData("JSONL:C:\\data\\p.jsonl", "JsonLines", "C:\\data\\p.jsonl")]
    public void SinkSpecParse_KnownScheme_GivesKindAndTarget(string text, string kind, string target)
    {
        SinkSpec spec = SinkSpec.Parse(text);

        Assert.Equal(kind, spec.Kind.ToString());
        Assert.Equal(target, spec.Target);
    }

    [Theory]
    [InlineData("s3:bucket", "unknown sink scheme \"s3\"")]
    [InlineData("pages.jsonl", "names no sink")]
    [InlineData("jsonl:", "names no path")]
    [InlineData("blob:", "names no container")]
    [InlineData("blob:Upper", "invalid container \"Upper\"")]
    [InlineData("blob:ab", "invalid container \"ab\"")]
    [InlineData("blob:a--b", "invalid container \"a--b\"")]
    [InlineData("blob:pages/../up", "invalid blob prefix")]
    public void SinkSpecParse_BadValue_ThrowsUsageSentence(string text, string expected)
    {
        CliException error = Assert.Throws<CliException>(() => SinkSpec.Parse(text));

        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("jsonl:a.jsonl", "jsonl:./a.jsonl")]
    [InlineData("jsonl:-", "jsonl:-")]
    [InlineData("blob:pages/x", "blob:pages/x/")]
    public void SinkSpecParseAll_SameSinkTwice_ThrowsUsage(string first, string second)
    {
        CliException error = Assert.Throws<CliException>(() => SinkSpec.ParseAll([first, second]));

        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Contains("is given twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SinkSpecParseAll_DistinctSinks_KeepsOrder()
    {
        IReadOnlyList<SinkSpec> specs = SinkSpec.ParseAll(["lucene:idx", "jsonl:-", "md:idx"]);

        Assert.Equal(["lucene:idx", "jsonl:-", "md:idx"], specs.Select(s => s.Text));
        Assert.True(specs[1].IsStdout);
    }

    [Theory]
    [InlineData("markdown", PageFields.Markdown)]
    [InlineData("markdown,metadata", PageFields.Markdown | PageFields.Metadata)]
    [InlineData(" Markdown , METADATA ,links", PageFields.Markdown | PageFields.Metadata | PageFields.Links)]
    [InlineData("raw-html,rawHtml,rawhtml", PageFields.RawHtml)]
    [InlineData("all", PageFields.All)]
    [InlineData(null, PageFields.All)]
    public void FieldListParse_KnownNames_CombinesFlags(string? list, PageFields expected) =>
        Assert.Equal(expected, FieldList.Parse(list));

    [Theory]
    [InlineData("markdown,images")]
    [InlineData("markdown,,metadata")]
    [InlineData("none")]
    public void FieldListParse_UnknownOrEmptyName_ThrowsUsage(string list)
    {
        CliException error = Assert.Throws<CliException>(() => FieldList.Parse(list));

        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.StartsWith("--fields ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("2s", 2000)]
    [InlineData("1.5m", 90_000)]
    [InlineData("3", 3000)]
    [InlineData("00:00:04", 4000)]
    [InlineData("0", 0)]
    public void DurationsParse_CommonForms_GivesMilliseconds(string text, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Durations.Parse(text, "--poll-interval"));

    [Theory]
    [InlineData("soon")]
    [InlineData("-2s")]
    [InlineData("48h")]
    public void DurationsParse_BadValue_ThrowsUsageNamingTheOption(string text)
    {
        CliException error = Assert.Throws<CliException>(() => Durations.Parse(text, "--poll-interval"));

        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.StartsWith("--poll-interval ", error.Message, StringComparison.Ordinal);
    }
}
