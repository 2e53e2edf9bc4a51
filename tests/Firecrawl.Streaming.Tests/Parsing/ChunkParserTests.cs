using System.Text;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Parsing;

public class ChunkParserTests
{
    private static byte[] Body(string json) => Encoding.UTF8.GetBytes(json);

    private static string PageJson(int index, string extra = "")
    {
        string json = Encoding.UTF8.GetString(TestPages.Json(index));
        return json[..^1] + extra + "}";
    }

    [Fact]
    public void Parse_ThirtyMegabyteStringIn64KbSegments_ScansBytesLinearly()
    {
        string screenshot = Convert.ToBase64String(new byte[22_500_000]); // 30 MB of base64
        byte[] body = Body($"{{\"status\":\"completed\",\"data\":[{PageJson(0, $",\"screenshot\":\"{screenshot}\"")}]}}");

        ParserDriver.Result result = ParserDriver.Parse(body, [64 * 1024]);

        ScrapedPage page = Assert.Single(result.Pages);
        Assert.Equal(screenshot.Length, page.Screenshot!.Length);
        // Re-reading the incomplete string once per 64 KB segment would hand the reader ~7 TB here.
        Assert.True(result.BytesScanned < 4L * body.Length, $"scanned {result.BytesScanned:N0} bytes for a {body.Length:N0}-byte body");
        Assert.True(result.Reads < 500, $"{result.Reads} reads");
    }

    [Fact]
    public void Parse_PageOfManySmallTokensIn4KbSegments_ScansEachByteAboutOnce()
    {
        string links = string.Join(",", Enumerable.Range(0, 100_000).Select(i => $"\"https://example.com/{i}\""));
        byte[] body = Body($"{{\"status\":\"completed\",\"data\":[{PageJson(0, $",\"links\":[{links}]")}]}}");

        ParserDriver.Result result = ParserDriver.Parse(body, [4096]);

        Assert.Equal(100_000, Assert.Single(result.Pages).Links.Count);
        Assert.True(result.BytesScanned < 2L * body.Length, $"scanned {result.BytesScanned:N0} bytes for a {body.Length:N0}-byte body");
    }

    [Fact]
    public void Parse_PagesArrivingOverManyReads_EachYieldedInTheReadThatCompletesIt()
    {
        byte[] body = TestPages.Response(Enumerable.Range(0, 20).Select(i => TestPages.Json(i)));

        ParserDriver.Result result = ParserDriver.Parse(body, [97]);

        Assert.Equal(20, result.Pages.Count);
        int firstRead = result.PagesPerRead.FindIndex(n => n > 0);
        Assert.True(firstRead < result.Reads / 10, $"first page only after read {firstRead} of {result.Reads}");
        Assert.All(result.PagesPerRead, n => Assert.InRange(n, 0, 1));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Parse_NextBeforeOrAfterData_EnvelopeAndPagesComplete(bool nextFirst)
    {
        string data = $"\"data\":[{PageJson(0)},{PageJson(1)}]";
        string next = "\"next\":\"https://api.firecrawl.dev/v2/batch/scrape/job?skip=2\"";
        byte[] body = Body($"{{\"status\":\"scraping\",{(nextFirst ? next + "," + data : data + "," + next)},\"total\":5}}");

        ParserDriver.Result result = ParserDriver.Parse(body, [5]);

        Assert.Equal(2, result.Pages.Count);
        Assert.Equal("https://api.firecrawl.dev/v2/batch/scrape/job?skip=2", result.Envelope.Next);
        Assert.Equal("scraping", result.Envelope.Status);
        Assert.Equal(5, result.Envelope.Total);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4096)]
    public void Parse_Utf8ByteOrderMark_IsSkippedWhateverTheSplit(int segment)
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. TestPages.Response([TestPages.Json(7)])];

        ParserDriver.Result result = ParserDriver.Parse(body, [segment]);

        Assert.Equal(TestPages.ScrapeId(7), Assert.Single(result.Pages).Metadata.ScrapeId);
    }

    [Fact]
    public void Parse_UnknownTopLevelKeysWithNestedValues_AreIgnored()
    {
        byte[] body = Body(
            "{\"warning\":\"w\",\"createdAt\":\"2026-01-01\",\"duration\":12.5,\"x\":{\"data\":[{\"a\":1}],\"deep\":[[{}]]}," +
            $"\"data\":[{PageJson(1)}],\"y\":[{{\"data\":[1,2]}}],\"status\":\"completed\",\"completedAt\":null}}");

        ParserDriver.Result result = ParserDriver.Parse(body, [3]);

        Assert.Equal(TestPages.ScrapeId(1), Assert.Single(result.Pages).Metadata.ScrapeId);
        Assert.Equal("w", result.Envelope.Warning);
        Assert.Equal("completed", result.Envelope.Status);
    }

    [Fact]
    public void Parse_DataNullOrEmpty_YieldsNoPages()
    {
        Assert.Empty(ParserDriver.Parse(Body("{\"status\":\"scraping\",\"data\":null}"), [4]).Pages);
        Assert.Empty(ParserDriver.Parse(Body("{\"status\":\"scraping\",\"data\":[]}"), [4]).Pages);
    }

    [Fact]
    public void Parse_TruncatedBody_ThrowsMalformedNamingTheOffset()
    {
        byte[] whole = TestPages.Response([TestPages.Json(0), TestPages.Json(1)]);
        byte[] truncated = whole[..(whole.Length - 40)];

        var error = Assert.Throws<JobStreamException>(() => ParserDriver.Parse(truncated, [100]));

        Assert.Equal(JobStreamErrorCode.MalformedResponse, error.ErrorCode);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.ByteOffset);
        Assert.InRange(error.ByteOffset!.Value, 0, truncated.Length);
    }

    [Fact]
    public void Parse_GarbageInsideSecondPage_ThrowsMalformedAtThatOffset()
    {
        string first = PageJson(0);
        string prefix = $"{{\"status\":\"completed\",\"data\":[{first},{{\"markdown\":\"ok\",";
        byte[] body = Body(prefix + "\"metadata\": {\"title\": tru }}]}");

        var error = Assert.Throws<JobStreamException>(() => ParserDriver.Parse(body, [16]));

        Assert.Equal(JobStreamErrorCode.MalformedResponse, error.ErrorCode);
        Assert.InRange(error.ByteOffset!.Value, Encoding.UTF8.GetByteCount(prefix), body.Length);
        Assert.Contains($"byte offset {error.ByteOffset}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>")]
    [InlineData("  \r\n<!DOCTYPE html><html>")]
    [InlineData("Service Unavailable")]
    public void Parse_NonJsonBody_ThrowsNotJsonWithPreview(string text)
    {
        var error = Assert.Throws<JobStreamException>(() => ParserDriver.Parse(Body(text), [8]));

        Assert.Equal(JobStreamErrorCode.NotJson, error.ErrorCode);
        Assert.Contains(text.Trim()[..10], error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("[1,2]")]
    [InlineData("{\"data\":{}}")]
    [InlineData("{\"data\":[1]}")]
    [InlineData("{\"data\":[null]}")]
    [InlineData("{\"status\":\"completed\"} {}")]
    [InlineData("{\"status\":\"completed\"}}")]
    public void Parse_BodyOfTheWrongShape_ThrowsMalformed(string text)
    {
        var error = Assert.Throws<JobStreamException>(() => ParserDriver.Parse(Body(text), [3]));

        Assert.Equal(JobStreamErrorCode.MalformedResponse, error.ErrorCode);
        Assert.NotNull(error.ByteOffset);
    }

    [Fact]
    public void Parse_PageLargerThanMaximum_ThrowsPageTooLargeBeforeBufferingIt()
    {
        string big = new('x', 1_000_000);
        byte[] body = Body($"{{\"status\":\"completed\",\"data\":[{PageJson(0)},{PageJson(1, $",\"rawHtml\":\"{big}\"")}]}}");
        int reads = 0;

        var error = Assert.Throws<JobStreamException>(() =>
        {
            ParserDriver.Result r = ParserDriver.Parse(body, [4096], maxPageBytes: 64 * 1024);
            reads = r.Reads;
        });

        Assert.Equal(JobStreamErrorCode.PageTooLarge, error.ErrorCode);
        Assert.Contains("65,536", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, reads);
    }

    [Fact]
    public void Parse_HugeUnknownTopLevelString_ThrowsPageTooLarge()
    {
        byte[] body = Body($"{{\"blob\":\"{new string('y', 200_000)}\",\"status\":\"completed\",\"data\":[]}}");

        var error = Assert.Throws<JobStreamException>(() => ParserDriver.Parse(body, [1024], maxPageBytes: 64 * 1024));

        Assert.Equal(JobStreamErrorCode.PageTooLarge, error.ErrorCode);
    }

    [Fact]
    public void Parse_PooledPages_DisposeReturnsBufferAndLaterReadsThrow()
    {
        ParserDriver.Result result = ParserDriver.Parse(TestPages.Response([TestPages.Json(0)]), [64], pool: true);
        ScrapedPage page = Assert.Single(result.Pages);
        string? title = page.Metadata.Title;

        page.Dispose();
        page.Dispose();

        Assert.Equal("Page 0", title);
        Assert.Throws<ObjectDisposedException>(() => page.Utf8Json);
        Assert.Throws<ObjectDisposedException>(() => page.Markdown);
    }

    [Fact]
    public void Parse_SuccessFalse_IsReportedInTheEnvelope()
    {
        ParserDriver.Result result = ParserDriver.Parse(Body("{\"success\":false,\"status\":\"failed\",\"error\":\"Job failed to start\"}"), [7]);

        Assert.False(result.Envelope.Success);
        Assert.Equal("Job failed to start", result.Envelope.Error);
    }

    [Fact]
    public void Parse_EscapedAndSplitPropertyNames_AreRecognised()
    {
        // "m\u0061rkdown" is "markdown" written with an escape; a 1-byte split exercises names across segments.
        byte[] body = Body("{\"st\\u0061tus\":\"completed\",\"d\\u0061ta\":[{\"m\\u0061rkdown\":\"# hi\",\"metadata\":{\"sc\\u0072apeId\":\"abc\"}}]}");

        ParserDriver.Result result = ParserDriver.Parse(body, [1]);

        ScrapedPage page = Assert.Single(result.Pages);
        Assert.Equal("# hi", page.Markdown);
        Assert.Equal("abc", page.Metadata.ScrapeId);
        Assert.Equal("completed", result.Envelope.Status);
    }

    [Theory]
    [InlineData(PageFields.Markdown)]
    [InlineData(PageFields.Html | PageFields.Other)]
    public void Parse_SelectionWithoutMetadata_KeepsTheIdentityInTheBytesAndAccessors(PageFields fields)
    {
        byte[] body = Encoding.UTF8.GetBytes("""
            {"status":"completed","data":[
             {"markdown":"# A","html":"<p>a</p>","metadata":{"title":"T","scrapeId":"id-1","url":"https://a.example/x","sourceURL":"https://a.example/","statusCode":200},"extra":1},
             {"markdown":"# B","metadata":{"title":"U"}}
            ]}
            """);

        foreach (int segment in new[] { 7, 64, 4096 })
        {
            List<ScrapedPage> pages = ParserDriver.Parse(body, [segment], fields).Pages;

            Assert.Equal("id-1", pages[0].Key);
            Assert.Equal(("id-1", "https://a.example/x", "https://a.example/"), (pages[0].Metadata.ScrapeId, pages[0].Metadata.Url, pages[0].Metadata.SourceUrl));
            Assert.True(pages[0].Metadata.Title.IsEmpty);
            using var stored = System.Text.Json.JsonDocument.Parse(pages[0].Utf8Json);
            System.Text.Json.JsonElement metadata = stored.RootElement.GetProperty("metadata");
            Assert.Equal(["scrapeId", "url", "sourceURL"], metadata.EnumerateObject().Select(p => p.Name));
            Assert.Equal("id-1", PageParser.Parse(pages[0].Utf8Json.Span).Key);

            // No identity to keep: no metadata at all, and the fallback key stands in.
            Assert.False(pages[1].HasField("metadata"));
            Assert.StartsWith("p1-", pages[1].Key, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Key_PageWithoutScrapeId_SamePositionAndBytesAgreeOtherwiseDiffer()
    {
        ScrapedPage a = PageParser.Parse("""{"markdown":"x"}"""u8, "job", 4);
        ScrapedPage again = PageParser.Parse("""{"markdown":"x"}"""u8, "job", 4);
        ScrapedPage elsewhere = PageParser.Parse("""{"markdown":"x"}"""u8, "job", 5);
        ScrapedPage other = PageParser.Parse("""{"markdown":"y"}"""u8, "job", 4);

        Assert.Equal(a.Key, again.Key);
        Assert.NotEqual(a.Key, elsewhere.Key);
        Assert.NotEqual(a.Key, other.Key);
    }
}
