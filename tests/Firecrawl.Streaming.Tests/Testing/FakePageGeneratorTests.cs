using System.Text.Json;
using Firecrawl.Streaming.Testing;

namespace Firecrawl.Streaming.Tests.Testing;

/// <summary><see cref="FakePageGenerator.PageFor"/>: pages for given URLs, as started jobs use them.</summary>
public class FakePageGeneratorTests
{
    private static JsonElement Metadata(byte[] page) => JsonDocument.Parse(page).RootElement.GetProperty("metadata").Clone();

    [Fact]
    public void PageFor_Url_SourceUrlAndUrlAreThatUrl()
    {
        JsonElement metadata = Metadata(FakePageGenerator.PageFor("https://a.example/ünï?q=1&x=\"y\"", 4, seed: 9));

        Assert.Equal("https://a.example/ünï?q=1&x=\"y\"", metadata.GetProperty("sourceURL").GetString());
        Assert.Equal("https://a.example/ünï?q=1&x=\"y\"", metadata.GetProperty("url").GetString());
        Assert.Equal(FakePageGenerator.ScrapeId(9, 4), metadata.GetProperty("scrapeId").GetString());
    }

    [Fact]
    public void PageFor_SameArguments_SameBytes()
    {
        Assert.Equal(FakePageGenerator.PageFor("https://a.example/", 3, 5), FakePageGenerator.PageFor("https://a.example/", 3, 5));
    }

    [Fact]
    public void PageFor_DifferentSeeds_DifferentScrapeIds()
    {
        string[] ids = [.. Enumerable.Range(1, 50).SelectMany(seed => Enumerable.Range(0, 20).Select(i =>
            Metadata(FakePageGenerator.PageFor("https://a.example/", i, seed)).GetProperty("scrapeId").GetString()!))];

        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public void PageFor_GeneratedUrl_SameBytesAsPage()
    {
        // PageFor only swaps the URL: given Page's own URL back, it produces Page's bytes, so Page is unchanged.
        byte[] page = FakePageGenerator.Page(7, seed: 2);
        string url = Metadata(page).GetProperty("sourceURL").GetString()!;

        Assert.Equal(page, FakePageGenerator.PageFor(url, 7, seed: 2));
    }

    [Fact]
    public void PageFor_EmptyUrl_Throws() =>
        Assert.Throws<ArgumentException>(() => FakePageGenerator.PageFor("", 0));
}
