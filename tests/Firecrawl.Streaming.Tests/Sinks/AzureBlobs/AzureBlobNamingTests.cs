using Firecrawl.Streaming.Sinks.AzureBlobs;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Sinks.AzureBlobs;

/// <summary>Blob names, metadata encoding and options, without storage.</summary>
public sealed class AzureBlobNamingTests
{
    private static readonly string s_longestPrefix = string.Join('/', Enumerable.Repeat(new string('p', 59), 8)) + "/";

    [Fact]
    public void ForPage_AwkwardUrls_SafeDistinctAndStable()
    {
        List<ScrapedPage> pages = TestPages.Create(TestPages.Awkward.Length);
        List<string> names = pages.Select(p => AzureBlobNames.ForPage(p, s_longestPrefix)).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(names, TestPages.Create(TestPages.Awkward.Length).Select(p => AzureBlobNames.ForPage(p, s_longestPrefix)));
        Assert.All(names, name =>
        {
            Assert.InRange(name.Length, 1, 1024);
            Assert.InRange(name.Split('/').Length, 1, 254);
            Assert.DoesNotContain(name.Split('/'), segment => segment.Trim('.').Length == 0);
            Assert.EndsWith(".json", name, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData(0, "example.com/uni/code-")]
    [InlineData(1, "example.com/etc/passwd-")]
    [InlineData(2, "example.com/con-")]
    [InlineData(3, "example.com/a-b/c-d-")]
    [InlineData(5, "example.com/same-")]
    [InlineData(6, "example.com/same-")]
    [InlineData(7, "xn--bcher-kva.example/bucher-")]
    public void ForPage_AwkwardUrl_ReadableSlugThenHash(int index, string expectedStart)
    {
        string name = AzureBlobNames.ForPage(TestPages.Create(TestPages.Awkward.Length)[index]);
        Assert.StartsWith(expectedStart, name, StringComparison.Ordinal);
        Assert.Matches("-[0-9a-f]{16}\\.json$", name);
    }

    [Fact]
    public void ForPage_VeryLongUrl_SlugCutToKeepTheNameShort()
    {
        ScrapedPage page = TestPages.Create(5)[4];
        string name = AzureBlobNames.ForPage(page, s_longestPrefix);
        Assert.InRange(name.Length - s_longestPrefix.Length, 1, "example.com/".Length + 200 + 22);
    }

    [Fact]
    public void ForPage_NoUrlOrPortOrRoot_DocumentedFallbacks()
    {
        ScrapedPage noUrl = PageParser.Parse("""{"metadata":{"scrapeId":"s-1"}}"""u8, "job-1", 0);
        ScrapedPage root = PageParser.Parse("""{"metadata":{"url":"http://Example.COM:8080/","scrapeId":"s-2"}}"""u8, "job-1", 1);

        Assert.Matches("^_/page-[0-9a-f]{16}\\.json$", AzureBlobNames.ForPage(noUrl));
        Assert.Matches("^example\\.com_8080/index-[0-9a-f]{16}\\.json$", AzureBlobNames.ForPage(root));
    }

    [Fact]
    public void ForPage_SamePageOtherJob_OtherName()
    {
        byte[] json = TestPages.Json(1);
        Assert.NotEqual(AzureBlobNames.ForPage(PageParser.Parse(json, "job-1", 1)), AzureBlobNames.ForPage(PageParser.Parse(json, "job-2", 1)));
        Assert.Equal(AzureBlobNames.ForPage(PageParser.Parse(json, "job-1", 1)), AzureBlobNames.ForPage(PageParser.Parse(json, "job-1", 9)));
    }

    [Theory]
    [InlineData(0, 500, "pages-000000000000-000000000499.jsonl")]
    [InlineData(499, 500, "pages-000000000000-000000000499.jsonl")]
    [InlineData(500, 500, "pages-000000000500-000000000999.jsonl")]
    [InlineData(1234567, 1000, "pages-000001234000-000001234999.jsonl")]
    public void ForBatch_Position_RangeThatHoldsIt(long position, int pagesPerBlob, string file)
    {
        Assert.Equal("out/job-1/" + file, AzureBlobNames.ForBatch("job-1", position, pagesPerBlob, "out/"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("crawls/")]
    [InlineData("crawls/2025-06/")]
    [InlineData("run-")]
    [InlineData("a.b/c")]
    public void Options_ValidPrefix_Accepted(string prefix) => new AzureBlobSinkOptions { Prefix = prefix }.Validate();

    [Theory]
    [InlineData("/crawls/")]
    [InlineData("../crawls/")]
    [InlineData("a/../b/")]
    [InlineData("a/./b")]
    [InlineData("a//b")]
    [InlineData("a\\b")]
    [InlineData("tab\there")]
    public void Options_UnsafePrefix_ThrowsNamingPrefix(string prefix)
    {
        var error = Assert.Throws<ArgumentException>(new AzureBlobSinkOptions { Prefix = prefix }.Validate);
        Assert.Equal(nameof(AzureBlobSinkOptions.Prefix), error.ParamName);
    }

    [Fact]
    public void Options_PrefixTooLong_Throws() =>
        Assert.Throws<ArgumentException>(new AzureBlobSinkOptions { Prefix = new string('p', AzureBlobSinkOptions.MaxPrefixLength + 1) }.Validate);

    [Theory]
    [InlineData(nameof(AzureBlobSinkOptions.PagesPerBlob), 0)]
    [InlineData(nameof(AzureBlobSinkOptions.PagesPerBlob), 50_001)]
    [InlineData(nameof(AzureBlobSinkOptions.MaxConcurrentUploads), 0)]
    [InlineData(nameof(AzureBlobSinkOptions.Mode), 7)]
    public void Options_OutOfRange_ThrowsNamingIt(string name, int value)
    {
        var options = new AzureBlobSinkOptions();
        switch (name)
        {
            case nameof(AzureBlobSinkOptions.PagesPerBlob): options.PagesPerBlob = value; break;
            case nameof(AzureBlobSinkOptions.MaxConcurrentUploads): options.MaxConcurrentUploads = value; break;
            default: options.Mode = (AzureBlobSinkMode)value; break;
        }

        Assert.Equal(name, Assert.Throws<ArgumentException>(options.Validate).ParamName);
    }

    [Fact]
    public void Options_Defaults_AreTheDocumentedOnes()
    {
        var options = new AzureBlobSinkOptions();
        Assert.Equal(AzureBlobSinkMode.BlobPerPage, options.Mode);
        Assert.Equal(string.Empty, options.Prefix);
        Assert.False(options.UploadMarkdown);
        Assert.Equal(500, options.PagesPerBlob);
        Assert.Equal(8, options.MaxConcurrentUploads);
        Assert.True(options.CreateContainer);
        options.Validate();
    }

    [Theory]
    [MemberData(nameof(AwkwardTexts))]
    public void MetadataEncode_AnyText_PrintableAsciiAndDecodesBack(string text)
    {
        string encoded = AzureBlobMetadata.Encode(text);
        Assert.All(encoded, c => Assert.InRange(c, '!', '~'));
        Assert.Equal(text, AzureBlobMetadata.Decode(encoded));
    }

    public static TheoryData<string> AwkwardTexts()
    {
        var data = new TheoryData<string> { " leading and trailing ", "100% a%20b", "line\r\nbreak\0nul" };
        foreach ((string title, string url) in TestPages.Awkward)
        {
            data.Add(title);
            data.Add(url);
        }

        return data;
    }
}
