using System.Buffers;
using System.Text;
using System.Text.Unicode;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Parsing;

/// <summary>Invalid UTF-8 never reaches a consumer: it is replaced with U+FFFD in the page's own bytes.</summary>
public class ChunkParserUtf8Tests
{
    private static readonly byte[] Replacement = "\uFFFD"u8.ToArray();

    /// <summary>A page whose <paramref name="field"/> (markdown or html) is "before " + <paramref name="bad"/> + " after".</summary>
    private static byte[] PageWith(byte[] bad, string field = "markdown")
    {
        string json = field == "markdown"
            ? Encoding.UTF8.GetString(TestPages.Json(3, markdown: "before @@@ after"))
            : "{\"html\":\"before @@@ after\"," + Encoding.UTF8.GetString(TestPages.Json(3))[1..];
        int at = json.IndexOf("@@@", StringComparison.Ordinal);
        return [.. Encoding.UTF8.GetBytes(json[..at]), .. bad, .. Encoding.UTF8.GetBytes(json[(at + 3)..])];
    }

    private static byte[] Body(params byte[][] pages)
    {
        byte[] head = "{\"status\":\"completed\",\"total\":2,\"completed\":2,\"data\":["u8.ToArray();
        var body = new List<byte>(head);
        for (int i = 0; i < pages.Length; i++)
        {
            if (i > 0)
            {
                body.Add((byte)',');
            }

            body.AddRange(pages[i]);
        }

        body.AddRange("]}"u8.ToArray());
        return [.. body];
    }

    public static TheoryData<byte[], int> InvalidSequences => new()
    {
        { new byte[] { 0xFF }, 1 },                   // never valid in UTF-8
        { new byte[] { 0xFF, 0xFE, 0xE6 }, 3 },       // what the testing kit's fault writes
        { new byte[] { 0xC0, 0x80 }, 2 },             // an overlong NUL
        { new byte[] { 0xED, 0xA0, 0x80 }, 3 },       // a UTF-16 surrogate encoded as UTF-8
        { new byte[] { 0xF0, 0x9F, 0x98 }, 1 },       // a four-byte sequence cut short
        { new byte[] { 0x80, 0x80 }, 2 },             // continuation bytes alone
    };

    [Theory]
    [MemberData(nameof(InvalidSequences))]
    public void Parse_InvalidUtf8InAStringAnySegmentation_PageIsValidUtf8WithReplacementCharacters(byte[] bad, int replacements)
    {
        byte[] body = Body(PageWith(bad), TestPages.Json(4));
        string expected = "before " + string.Concat(Enumerable.Repeat("\uFFFD", replacements)) + " after";

        foreach (int segment in (int[])[1, 2, 3, 7, 64, 4096])
        {
            ParserDriver.Result result = ParserDriver.Parse(body, [segment]);

            Assert.Equal(2, result.Pages.Count);
            ScrapedPage page = result.Pages[0];
            Assert.True(Utf8.IsValid(page.Utf8Json.Span), $"segments of {segment}");
            Assert.Equal(expected, page.Markdown);
            Assert.Equal("Page 3", page.Metadata.Title);
            Assert.Equal(TestPages.ScrapeId(3), page.Metadata.ScrapeId);
            Assert.Equal(TestPages.Json(4), result.Pages[1].Utf8Json.ToArray());
        }
    }

    [Fact]
    public void Parse_InvalidUtf8_RepairedBytesParseToTheSamePage()
    {
        byte[] body = Body(PageWith([0xFF, 0xC3]));

        ScrapedPage page = Assert.Single(ParserDriver.Parse(body, [5]).Pages);
        ScrapedPage again = PageParser.Parse(page.Utf8Json.Span, "job", 0);

        Assert.Equal(again.Markdown, page.Markdown);
        Assert.Equal(again.Links, page.Links);
        Assert.Equal(again.Metadata.Url, page.Metadata.Url);
        Assert.True(page.Utf8Length > PageWith([0xFF, 0xC3]).Length, "two invalid bytes became six");
        Assert.Equal(2, CountOf(page.Utf8Json.Span, Replacement));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Parse_InvalidUtf8WithFieldSelectionAndPooledBuffers_RepairedAndSelected(bool pool)
    {
        byte[] body = Body(PageWith([0xFF], field: "html"));

        ScrapedPage page = Assert.Single(ParserDriver.Parse(body, [16], fields: PageFields.Html | PageFields.Metadata, pool: pool).Pages);

        Assert.True(Utf8.IsValid(page.Utf8Json.Span));
        Assert.Equal("before \uFFFD after", page.Html);
        Assert.Null(page.Markdown);
        Assert.Equal("Page 3", page.Metadata.Title);
        page.Dispose();
    }

    [Fact]
    public void Parse_InvalidUtf8InAPropertyName_Repaired()
    {
        byte[] page = [.. "{\"x"u8, 0xFF, .. "y\":1,"u8, .. TestPages.Json(5).AsSpan(1)];

        ScrapedPage parsed = Assert.Single(ParserDriver.Parse(Body(page), [3]).Pages);

        Assert.True(Utf8.IsValid(parsed.Utf8Json.Span));
        Assert.True(parsed.AdditionalProperties.ContainsKey("x\uFFFDy"));
        Assert.Equal(TestPages.ScrapeId(5), parsed.Metadata.ScrapeId);
    }

    [Fact]
    public void Parse_ValidMultiByteText_BytesUntouchedAndNotCountedAsRepaired()
    {
        byte[] page = TestPages.Json(6, title: "日本語 — “quotes” 🚀 𝄞", markdown: "Ünïcödé ✓ 😀");
        var parser = new ChunkParser(JobKind.BatchScrape, "job", 0, PageFields.All, poolPageBuffers: false, maxPageBytes: 1 << 20);
        var pages = new List<ScrapedPage>();

        parser.Parse(new ReadOnlySequence<byte>(Body(page, PageWith([0xFF]))), isFinalBlock: true, pages, out _);

        Assert.Equal(page, pages[0].Utf8Json.ToArray());
        Assert.False(parser.IsUtf8Repaired(0));
        Assert.True(parser.IsUtf8Repaired(1));
    }

    private static int CountOf(ReadOnlySpan<byte> text, ReadOnlySpan<byte> value)
    {
        int count = 0;
        for (int at = text.IndexOf(value); at >= 0; at = text.IndexOf(value))
        {
            count++;
            text = text[(at + value.Length)..];
        }

        return count;
    }
}
