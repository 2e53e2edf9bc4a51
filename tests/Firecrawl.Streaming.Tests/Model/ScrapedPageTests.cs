using System.Text;
using System.Text.Json;

namespace Firecrawl.Streaming.Tests.Model;

public class ScrapedPageTests
{
    private static ScrapedPage Parse(string json, long position = 3) => PageParser.Parse(Encoding.UTF8.GetBytes(json), "job-9", position);

    [Fact]
    public void Parse_TypedMetadata_DecodesStringsArraysAndNumbers()
    {
        ScrapedPage page = Parse("""
            {"markdown":"# T\n\"q\"","links":["a","b"],"metadata":{"title":["One","Two"],"description":"D","language":null,
             "keywords":"k1, k2","sourceURL":"https://s/","url":"https://u/","ogLocaleAlternate":["fr_FR"],"statusCode":"404",
             "error":"Not Found","scrapeId":"0b7e1f7e-9a51-4b7a-8f0e-4a1d2c3b4a5f","og:image":"https://i/","twitter:card":["x","y"]}}
            """);

        Assert.Equal("# T\n\"q\"", page.Markdown);
        Assert.Equal(["a", "b"], page.Links);
        Assert.True(page.Metadata.Title.IsArray);
        Assert.Equal("One, Two", page.Metadata.Title.ToString());
        Assert.Equal("One", page.Metadata.Title.First);
        Assert.Equal("D", (string?)page.Metadata.Description);
        Assert.True(page.Metadata.Language.IsEmpty);
        Assert.Equal("k1, k2", page.Metadata.Keywords.ToString());
        Assert.Equal(404, page.Metadata.StatusCode);
        Assert.Equal("Not Found", page.Metadata.Error);
        Assert.Equal(["fr_FR"], page.Metadata.OgLocaleAlternate);
        Assert.Equal("https://u/", page.Url);
        Assert.Equal("0b7e1f7e-9a51-4b7a-8f0e-4a1d2c3b4a5f", page.Key);
        Assert.True(page.Metadata.TryGetValue("og:image", out JsonElement image));
        Assert.Equal("https://i/", image.GetString());
        Assert.Equal(2, page.Metadata.Properties["twitter:card"].GetArrayLength());
    }

    [Fact]
    public void Parse_UnknownPageFields_KeptLosslessly()
    {
        ScrapedPage page = Parse("""{"markdown":"m","json":{"a":[1,2.5,null,{"b":"\u00e9"}]},"actions":{"screenshots":[]},"warning":"w"}""");

        Assert.Equal(["actions", "json", "warning"], page.AdditionalProperties.Keys.Order());
        Assert.Equal("é", page.AdditionalProperties["json"].GetProperty("a")[3].GetProperty("b").GetString());
        Assert.True(page.HasField("warning"));
        Assert.True(page.HasField("markdown"));
        Assert.False(page.HasField("html"));
    }

    [Fact]
    public void Utf8Json_IsTheOriginalBytes()
    {
        const string Json = """{ "markdown" : "caf\u00e9 😀", "metadata" : { "statusCode" : 200 } }""";

        ScrapedPage page = Parse(Json);

        Assert.Equal(Json, Encoding.UTF8.GetString(page.Utf8Json.Span));
        Assert.Equal("café 😀", page.Markdown);
        Assert.Equal(200, page.Metadata.StatusCode);
    }

    [Fact]
    public void Key_WithoutScrapeId_FallsBackToPositionAndHash()
    {
        Assert.Matches("^p3-[0-9a-f]{16}$", Parse("""{"metadata":{"url":"https://x/"}}""").Key);
        Assert.Matches("^p5-[0-9a-f]{16}$", Parse("{}", position: 5).Key);
    }

    [Fact]
    public void ResumeToken_RoundTripsJobPositionAndScrapeId()
    {
        ScrapedPage page = Parse("""{"metadata":{"scrapeId":"abc"}}""", position: 42);

        Assert.True(ResumeToken.TryParse(page.ResumeToken, out JobKind kind, out string job, out long position, out string? scrapeId));
        Assert.Equal((JobKind.BatchScrape, "job-9", 42L, "abc"), (kind, job, position, scrapeId));
        Assert.False(ResumeToken.TryParse("garbage", out _, out _, out _, out _));
    }

    [Theory]
    [InlineData("""{"metadata":{"scrapeId":"\u00e9t\u00e9-1"}}""", "été-1")]
    [InlineData("""{"metadata":{"scrapeId":"été-1"}}""", "été-1")]
    [InlineData("""{"metadata":{"scrapeId":""}}""", null)]
    [InlineData("""{"metadata":{"scrapeId":7}}""", "7")]
    [InlineData("""{"markdown":"m"}""", null)]
    public void ResumeToken_ScrapeIdEscapedOrNot_EqualsTokenOfDecodedId(string json, string? decoded)
    {
        ScrapedPage page = Parse(json, position: 12_345_678_901);

        Assert.Equal(ResumeToken.Format(JobKind.BatchScrape, "job-9", 12_345_678_901, decoded), page.ResumeToken);
        Assert.True(ResumeToken.TryParse(page.ResumeToken, out _, out _, out long position, out string? scrapeId));
        Assert.Equal((12_345_678_901L, decoded), (position, scrapeId));
    }

    [Fact]
    public void ResumeToken_LongJobId_RoundTrips()
    {
        string job = new('j', 600);

        string token = ResumeToken.Format(JobKind.Crawl, job, 0, "id");

        Assert.True(ResumeToken.TryParse(token, out JobKind kind, out string parsedJob, out _, out string? scrapeId));
        Assert.Equal((JobKind.Crawl, job, "id"), (kind, parsedJob, scrapeId));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"a\":1")]
    [InlineData("{} {}")]
    public void Parse_NotOnePageObject_ThrowsMalformed(string json)
    {
        var error = Assert.Throws<JobStreamException>(() => Parse(json));
        Assert.Equal(JobStreamErrorCode.MalformedResponse, error.ErrorCode);
    }

    [Fact]
    public void MetadataText_EqualityAndConversions()
    {
        var single = new MetadataText("a");
        var array = new MetadataText(["a"]);

        Assert.NotEqual(single, array);
        Assert.Equal(new MetadataText("a"), single);
        Assert.Null((string?)default(MetadataText));
        Assert.Equal("a", single[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => single[1]);
    }

    [Fact]
    public void Markdown_LoneSurrogateEscape_DecodesToReplacementCharacter()
    {
        // JavaScript's JSON encoder writes broken text this way; the page must still be readable.
        ScrapedPage page = Parse("""{"markdown":"a \ud800 b \udc00","metadata":{"title":"x\ud83d"}}""");

        Assert.Equal("a \ufffd b \ufffd", page.Markdown);
        Assert.Equal("x\ufffd", page.Metadata.Title.ToString());
        Assert.Equal("\ud83d\ude00\ufffd\n", Parse("""{"markdown":"\ud83d\ude00\ud800\n"}""").Markdown);
        Assert.Equal(["ok", "\ufffd"], Parse("""{"metadata":{"keywords":["ok","\udfff"]}}""").Metadata.Keywords);
    }
}
