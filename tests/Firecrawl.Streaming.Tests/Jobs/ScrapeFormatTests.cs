using static Firecrawl.Streaming.Tests.Jobs.JobRequests;

namespace Firecrawl.Streaming.Tests.Jobs;

/// <summary>The entries of <see cref="PageScrapeOptions.Formats"/>: names written as strings, formats with options as objects.</summary>
public class ScrapeFormatTests
{
    [Fact]
    public void Json_PromptWithoutSchema_ObjectWithTypeAndPromptOnly()
    {
        ScrapeFormat format = ScrapeFormat.Json(null, "the price");

        Assert.Equal("json", format.Type);
        Assert.Equal("""{"type":"json","prompt":"the price"}""", format.ToString());
    }

    [Fact]
    public void ImplicitString_WrittenAsThatString()
    {
        ScrapeFormat format = "branding";

        Assert.Equal(("branding", null), (format.Type, format.Value));
        Assert.Equal("branding", format.ToString());
    }

    [Fact]
    public void FromJson_ObjectWithType_KeptWhole()
    {
        ScrapeFormat format = ScrapeFormat.FromJson(Json("""{"type":"changeTracking","modes":["git-diff"],"tag":null}"""));

        Assert.Equal("changeTracking", format.Type);
        Assert.Equal("""{"type":"changeTracking","modes":["git-diff"],"tag":null}""", format.ToString());
    }

    [Theory]
    [InlineData("""{"modes":["git-diff"]}""")]
    [InlineData("""{"type":3}""")]
    [InlineData("42")]
    [InlineData("\"\"")]
    public void FromJson_NoStringType_Throws(string json)
    {
        Assert.ThrowsAny<ArgumentException>(() => ScrapeFormat.FromJson(Json(json)));
    }

    [Fact]
    public void FromString_Blank_Throws()
    {
        Assert.Throws<ArgumentException>(() => ScrapeFormat.FromString(" "));
    }
}
