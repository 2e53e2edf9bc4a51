using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Model;

/// <summary>
/// A page's typed string fields, read as strings and as UTF-8 (<see cref="ScrapedPage.TryWriteUtf8"/>), against what
/// <see cref="JsonSerializer"/> with default options reads from the same bytes: the kit's generated pages (escapes,
/// quotes, emoji, non-Latin scripts), and the same pages with NULs, surrogate pairs, escaped non-ASCII and invalid
/// UTF-8 put into their Markdown, parsed the way a stream parses them (invalid UTF-8 repaired to U+FFFD).
/// </summary>
public class ScrapedPageUtf8Tests
{
    private static readonly PageFields[] TextFields = [PageFields.Markdown, PageFields.Html, PageFields.RawHtml, PageFields.Screenshot, PageFields.Summary];

    public static TheoryData<int> Seeds() => [1, 2, 3];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void TextFields_GeneratedPages_EqualJsonSerializer(int seed)
    {
        var shape = new PageShape { MarkdownChars = 3000, ScreenshotBytes = seed == 2 ? 4096 : 0 };
        List<byte[]> documents = [.. FakePageGenerator.Generate(40, seed, shape)];
        documents.AddRange(documents.Take(20).Select((page, i) => WithHardMarkdown(page, i)));

        List<ScrapedPage> pages = ParseAsStream(documents);

        Assert.Equal(documents.Count, pages.Count);
        for (int i = 0; i < documents.Count; i++)
        {
            // What a stream delivers is valid UTF-8: JsonSerializer reads the document with invalid bytes repaired.
            byte[] repaired = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(documents[i]));
            TextDto expected = JsonSerializer.Deserialize<TextDto>(repaired)!;
            AssertFields(expected, pages[i], $"seed {seed} page {i}");
        }
    }

    [Theory]
    [InlineData("""{"markdown":"plain ascii"}""", "plain ascii")]
    [InlineData("""{"markdown":"line\nbreak \"q\" back\\slash \/ \t \b \f \r end"}""", "line\nbreak \"q\" back\\slash / \t \b \f \r end")]
    [InlineData("""{"markdown":"nul \u0000 in the middle\u0000"}""", "nul \0 in the middle\0")]
    [InlineData("""{"markdown":"\u00e9t\u00E9 \ud83d\ude80 \u65e5\u672c"}""", "été 🚀 日本")]
    [InlineData("""{"markdown":"caf\u00e9 raw é 🚀"}""", "café raw é 🚀")]
    [InlineData("""{"markdown":""}""", "")]
    public void TryWriteUtf8_EscapedText_EqualsJsonSerializer(string json, string text)
    {
        ScrapedPage page = PageParser.Parse(Encoding.UTF8.GetBytes(json));
        TextDto expected = JsonSerializer.Deserialize<TextDto>(json)!;

        Assert.Equal(text, expected.Markdown);
        AssertFields(expected, page, json);
    }

    [Fact]
    public void TryWriteUtf8_LoneSurrogateEscape_WritesReplacementCharacterLikeTheProperty()
    {
        // JsonSerializer refuses a lone surrogate; the page decodes it to U+FFFD (as Encoding.UTF8 does for bad bytes).
        ScrapedPage page = PageParser.Parse("""{"markdown":"a\ud800b\udc00c\ud83d"}"""u8);

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TextDto>("""{"markdown":"a\ud800b"}"""));
        Assert.Equal("a\ufffdb\ufffdc\ufffd", page.Markdown);
        Assert.Equal(Encoding.UTF8.GetBytes(page.Markdown!), WriteUtf8(page, PageFields.Markdown));
    }

    [Fact]
    public void TryWriteUtf8_InvalidUtf8NotRepaired_WritesWhatThePropertyDecodes()
    {
        // A page read back from storage is not repaired; its text still comes out as the property decodes it.
        byte[] json = [.. "{\"markdown\":\"bad "u8, 0xC3, 0x28, .. " and \\n escaped ."u8, 0xFF, .. "\"}"u8];
        ScrapedPage page = PageParser.Parse(json);

        Assert.Equal("bad \ufffd( and \n escaped .\ufffd", page.Markdown);
        Assert.Equal(Encoding.UTF8.GetBytes(page.Markdown!), WriteUtf8(page, PageFields.Markdown));
    }

    [Theory]
    [InlineData("""{"markdown":null}""")]
    [InlineData("""{"markdown":42}""")]
    [InlineData("""{"markdown":["a"]}""")]
    [InlineData("""{"html":"h"}""")]
    public void TryWriteUtf8_NullAbsentOrNotAString_ReturnsFalseAndWritesNothing(string json)
    {
        ScrapedPage page = PageParser.Parse(Encoding.UTF8.GetBytes(json));
        var writer = new ArrayBufferWriter<byte>();

        Assert.False(page.TryWriteUtf8(PageFields.Markdown, writer));
        Assert.Equal(0, writer.WrittenCount);
        Assert.Null(page.Markdown);
    }

    [Theory]
    [InlineData(PageFields.Links)]
    [InlineData(PageFields.Metadata)]
    [InlineData(PageFields.Other)]
    [InlineData(PageFields.None)]
    [InlineData(PageFields.Markdown | PageFields.Html)]
    public void TryWriteUtf8_NotOneStringField_Throws(PageFields field)
    {
        ScrapedPage page = PageParser.Parse("""{"markdown":"m","html":"h"}"""u8);

        Assert.Throws<ArgumentOutOfRangeException>(() => page.TryWriteUtf8(field, new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void TryWriteUtf8_PooledPageDisposed_ThrowsObjectDisposed()
    {
        byte[] body = Batch([FakePageGenerator.Page(0)]);
        ScrapedPage page = ParserDriver.Parse(body, [body.Length], pool: true).Pages.Single();
        Assert.True(page.TryWriteUtf8(PageFields.Markdown, new ArrayBufferWriter<byte>()));

        page.Dispose();

        Assert.Throws<ObjectDisposedException>(() => page.TryWriteUtf8(PageFields.Markdown, new ArrayBufferWriter<byte>()));
    }

    private static void AssertFields(TextDto expected, ScrapedPage page, string because)
    {
        string?[] values = [expected.Markdown, expected.Html, expected.RawHtml, expected.Screenshot, expected.Summary];
        string?[] properties = [page.Markdown, page.Html, page.RawHtml, page.Screenshot, page.Summary];
        for (int f = 0; f < TextFields.Length; f++)
        {
            Assert.True(values[f] == properties[f], $"{because}: {TextFields[f]} property differs from JsonSerializer's");
            var writer = new ArrayBufferWriter<byte>();
            bool written = page.TryWriteUtf8(TextFields[f], writer);
            Assert.True(written == values[f] is not null, $"{because}: {TextFields[f]} presence");
            Assert.True(Encoding.UTF8.GetBytes(values[f] ?? string.Empty).AsSpan().SequenceEqual(writer.WrittenSpan), $"{because}: {TextFields[f]} UTF-8 differs");
        }

        Assert.Equal(expected.Links ?? [], page.Links);
    }

    private static byte[] WriteUtf8(ScrapedPage page, PageFields field)
    {
        var writer = new ArrayBufferWriter<byte>();
        Assert.True(page.TryWriteUtf8(field, writer));
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Parses pages as a stream does: one batch response through the chunk parser (which repairs invalid UTF-8).</summary>
    private static List<ScrapedPage> ParseAsStream(List<byte[]> documents)
    {
        byte[] body = Batch(documents);
        return ParserDriver.Parse(body, [4096, 65536, 1000]).Pages;
    }

    private static byte[] Batch(IReadOnlyList<byte[]> pages)
    {
        var body = new List<byte>();
        body.AddRange("""{"status":"completed","total":1,"completed":1,"creditsUsed":1,"data":["""u8.ToArray());
        for (int i = 0; i < pages.Count; i++)
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

    /// <summary>The page with text that exercises every decoding path spliced into the start of its Markdown.</summary>
    private static byte[] WithHardMarkdown(byte[] page, int variant)
    {
        ReadOnlySpan<byte> marker = "\"markdown\":\""u8;
        int at = page.AsSpan().IndexOf(marker) + marker.Length;
        byte[] insert = (variant % 4) switch
        {
            0 => [.. "nul \\u0000 and \\u0000\\u0001 "u8],
            1 => [.. "pair \\ud83d\\ude80 and \\u00e9\\u65E5 "u8],
            2 => [.. "invalid "u8, 0xC3, 0x28, (byte)' ', 0xF0, 0x9F, (byte)' ', 0xFF, (byte)' '],
            _ => [.. "mixed \\\" \\\\ \\/ "u8, 0xE2, 0x82, 0xAC, (byte)' ', 0x80, .. " \\n"u8],
        };
        return [.. page.AsSpan(0, at), .. insert, .. page.AsSpan(at)];
    }

    private sealed record TextDto(
        [property: JsonPropertyName("markdown")] string? Markdown,
        [property: JsonPropertyName("html")] string? Html,
        [property: JsonPropertyName("rawHtml")] string? RawHtml,
        [property: JsonPropertyName("screenshot")] string? Screenshot,
        [property: JsonPropertyName("summary")] string? Summary,
        [property: JsonPropertyName("links")] List<string>? Links);
}
