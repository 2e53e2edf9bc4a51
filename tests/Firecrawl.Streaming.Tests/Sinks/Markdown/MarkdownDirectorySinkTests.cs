using Firecrawl.Streaming.Pipeline;
using System.Text;
using System.Text.RegularExpressions;
using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Sinks.Markdown;

public sealed class MarkdownDirectoryContractTests : PageSinkContractTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    private string Folder => _directory.Combine("pages");

    protected override ValueTask<IPageSink> CreateSinkAsync() => ValueTask.FromResult<IPageSink>(new MarkdownDirectorySink(Folder));

    protected override async Task<IReadOnlyList<string>> ReadBackKeysAsync()
    {
        if (!Directory.Exists(Folder))
        {
            return [];
        }

        var keys = new List<string>();
        foreach (string file in Directory.EnumerateFiles(Folder))
        {
            Assert.EndsWith(".md", file, StringComparison.Ordinal);
            (Dictionary<string, string[]> fields, _) = MarkdownFrontMatter.Read(await File.ReadAllTextAsync(file, Ct));
            // A page without a scrape id is known by its file name, which hashes its key.
            keys.Add(fields.TryGetValue("scrapeId", out string[]? scrapeId) ? scrapeId[0] : Path.GetFileName(file));
        }

        return keys;
    }

    public void Dispose() => _directory.Dispose();
}

public sealed partial class MarkdownDirectorySinkTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*-[0-9a-f]{16}\\.md$")]
    private static partial Regex SafeName();

    [Fact]
    public async Task WriteAsync_AwkwardUrls_FileNamesAreSafeUniqueAndShort()
    {
        List<ScrapedPage> pages = TestPages.Create(TestPages.Awkward.Length);
        string folder = _directory.Combine("md");
        await using (var sink = new MarkdownDirectorySink(folder))
        {
            await sink.WriteAsync(pages, Ct);
            await sink.FlushAsync(Ct);
        }

        string[] names = Directory.GetFiles(folder).Select(Path.GetFileName).ToArray()!;
        Assert.Equal(pages.Count, names.Length);
        Assert.Equal(names.Length, names.Select(n => n.ToUpperInvariant()).Distinct().Count());
        Assert.All(names, name =>
        {
            Assert.Matches(SafeName(), name);
            Assert.InRange(name.Length, 1, 120);
        });
        Assert.Empty(Directory.GetDirectories(folder));
        Assert.Empty(Directory.GetFiles(_directory.Path));
    }

    [Theory]
    [InlineData("https://example.com/../../etc/passwd", "example-com-etc-passwd")]
    [InlineData("https://example.com/CON", "example-com-con")]
    [InlineData("https://xn--bcher-kva.example/bücher#frag", "xn-bcher-kva-example-bucher")]
    [InlineData("https://example.com/ünï/cödé?q=1", "example-com-uni-code")]
    [InlineData("not a url/../..", "not-a-url")]
    [InlineData("…", "page")]
    [InlineData(null, "page")]
    public void Slug_OddUrls_LowercaseAsciiWordsJoinedByDashes(string? url, string expected) =>
        Assert.Equal(expected, MarkdownFileNames.Slug(url, 80));

    [Fact]
    public void Slug_LongUrl_CappedAtTheMaximum()
    {
        string slug = MarkdownFileNames.Slug("https://example.com/" + new string('y', 600), 50);
        Assert.Equal(50, slug.Length);
        Assert.False(slug.EndsWith('-'));
    }

    [Fact]
    public void GetFileName_SameUrlDifferentPages_DifferentFiles_SamePageTwice_SameFile()
    {
        var sink = new MarkdownDirectorySink(_directory.Path);
        ScrapedPage a = PageParser.Parse(TestPages.Json(1, url: "https://example.com/same"), "job", 1);
        ScrapedPage b = PageParser.Parse(TestPages.Json(2, url: "https://example.com/same"), "job", 2);
        ScrapedPage aAgain = PageParser.Parse(TestPages.Json(1, url: "https://example.com/same"), "job", 1);

        Assert.NotEqual(sink.GetFileName(a), sink.GetFileName(b));
        Assert.Equal(sink.GetFileName(a), sink.GetFileName(aAgain));
    }

    [Fact]
    public async Task WriteAsync_Page_FrontMatterRoundTripsEveryFieldAndBodyFollows()
    {
        List<ScrapedPage> pages = TestPages.Create(TestPages.Awkward.Length);
        await using var sink = new MarkdownDirectorySink(_directory.Path);
        await sink.WriteAsync(pages, Ct);

        foreach (ScrapedPage page in pages)
        {
            string text = await File.ReadAllTextAsync(Path.Combine(_directory.Path, sink.GetFileName(page)), Ct);
            (Dictionary<string, string[]> fields, string body) = MarkdownFrontMatter.Read(text);
            Assert.Equal(page.Url, fields["url"][0]);
            Assert.Equal(page.Metadata.Title.First, fields["title"][0]);
            Assert.Equal(page.Metadata.Description.First, fields["description"][0]);
            Assert.Equal("200", fields["statusCode"][0]);
            Assert.Equal(page.Metadata.ScrapeId, fields["scrapeId"][0]);
            Assert.Equal("en", fields["language"][0]);
            Assert.Equal(page.Markdown, body);
        }
    }

    [Fact]
    public async Task WriteAsync_ControlAndSeparatorCharacters_AreEscaped()
    {
        string title = "a\u0001b\u007fc\u0085d\u2028e\u2029f\ufeffg\"h\\i\r\n---";
        ScrapedPage page = PageParser.Parse(TestPages.Json(1, title: title), "job", 1);
        await using var sink = new MarkdownDirectorySink(_directory.Path);
        await sink.WriteAsync([page], Ct);

        string text = await File.ReadAllTextAsync(Path.Combine(_directory.Path, sink.GetFileName(page)), Ct);
        (Dictionary<string, string[]> fields, _) = MarkdownFrontMatter.Read(text);

        Assert.Equal(title, fields["title"][0]);
        string frontMatter = text[..text.IndexOf("\n---\n", 3, StringComparison.Ordinal)];
        Assert.DoesNotContain('\u0085', frontMatter);
        Assert.DoesNotContain('\u2028', frontMatter);
        Assert.DoesNotContain('\u007f', frontMatter);
    }

    [Fact]
    public async Task WriteAsync_TitleSentAsArray_WrittenAsYamlSequence()
    {
        byte[] json = Encoding.UTF8.GetBytes($"{{\"markdown\":\"x\",\"metadata\":{{\"title\":[\"One\",\"Two \\\"2\\\"\"],\"scrapeId\":\"{TestPages.ScrapeId(3)}\"}}}}");
        ScrapedPage page = PageParser.Parse(json, "job", 3);
        await using var sink = new MarkdownDirectorySink(_directory.Path);
        await sink.WriteAsync([page], Ct);

        string text = await File.ReadAllTextAsync(Path.Combine(_directory.Path, sink.GetFileName(page)), Ct);
        (Dictionary<string, string[]> fields, string body) = MarkdownFrontMatter.Read(text);

        Assert.Equal(["One", "Two \"2\""], fields["title"]);
        Assert.False(fields.ContainsKey("url"));
        Assert.Equal("x\n", body);
    }

    [Fact]
    public async Task WriteAsync_SamePageAgain_ReplacesTheFileWhole()
    {
        ScrapedPage first = PageParser.Parse(TestPages.Json(1, markdown: new string('a', 5000)), "job", 1);
        ScrapedPage again = PageParser.Parse(TestPages.Json(1, markdown: "short"), "job", 1);
        await using var sink = new MarkdownDirectorySink(_directory.Path);

        await sink.WriteAsync([first], Ct);
        await sink.WriteAsync([again], Ct);

        string text = await File.ReadAllTextAsync(Path.Combine(_directory.Path, sink.GetFileName(again)), Ct);
        Assert.Equal("short\n", MarkdownFrontMatter.Read(text).Body);
        Assert.Single(Directory.GetFiles(_directory.Path));
    }

    [Fact]
    public async Task Open_TemporaryFilesLeftByACrash_AreRemoved()
    {
        string leftover = Path.Combine(_directory.Path, ".fc-0123456789abcdef0123456789abcdef.tmp");
        await File.WriteAllTextAsync(leftover, "half a page", Ct);
        string unrelated = Path.Combine(_directory.Path, "notes.txt");
        await File.WriteAllTextAsync(unrelated, "mine", Ct);

        await using (var sink = new MarkdownDirectorySink(_directory.Path))
        {
            await sink.WriteAsync(TestPages.Create(2), Ct);
            await sink.FlushAsync(Ct);
        }

        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(unrelated));
        Assert.Equal(3, Directory.GetFiles(_directory.Path).Length);
    }

    [Fact]
    public async Task WriteAsync_NoFrontMatterOption_WritesOnlyTheMarkdown()
    {
        ScrapedPage page = TestPages.Create(1)[0];
        await using var sink = new MarkdownDirectorySink(_directory.Path, new MarkdownDirectorySinkOptions { FrontMatter = false });
        await sink.WriteAsync([page], Ct);

        Assert.Equal(page.Markdown, await File.ReadAllTextAsync(Path.Combine(_directory.Path, sink.GetFileName(page)), Ct));
    }

    [Fact]
    public async Task WriteAsync_ParallelCallsOnAFreshDirectory_AllFilesWritten()
    {
        List<ScrapedPage> pages = TestPages.Create(64);
        string folder = _directory.Combine("fresh");
        await using var sink = new MarkdownDirectorySink(folder);

        await Task.WhenAll(pages.Chunk(4).Select(batch => sink.WriteAsync(batch, Ct).AsTask()));
        await sink.FlushAsync(Ct);

        Assert.Equal(64, Directory.GetFiles(folder).Length);
    }
}
