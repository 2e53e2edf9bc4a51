using System.Globalization;
using System.Text.Json;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Parsing;

/// <summary>
/// For many random documents and many random segmentations, the streaming parser yields exactly what
/// <see cref="JsonSerializer"/> reads from the whole document.
/// </summary>
public class ChunkParserPropertyTests
{
    private static readonly int[] MaxSegmentSizes = [1, 3, 7, 64, 4096, 65536];

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(0, 24)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Parse_RandomDocumentAnySegmentation_PagesEqualJsonSerializer(int seed)
    {
        var random = new Random(seed);
        for (int round = 0; round < 5; round++)
        {
            int maxString = random.Next(10) == 0 ? 70_000 : 120;
            byte[] document = RandomBatchDocuments.Create(random, maxPages: 6, maxStringLength: maxString);
            Expected expected = Expected.From(document);
            foreach (int max in MaxSegmentSizes)
            {
                if (maxString > 1000 && max < 64)
                {
                    continue; // byte-sized segments of 70 KB strings only make the test slow, not stronger
                }

                int[] segmentation = ParserDriver.RandomSegmentation(random, max);
                ParserDriver.Result result = ParserDriver.Parse(document, segmentation, basePosition: 100);
                AssertEqual(expected, result, PageFields.All, $"seed {seed} round {round} segments<={max}");
            }

            ParserDriver.Result whole = ParserDriver.Parse(document, [document.Length]);
            Assert.Equal(expected.Pages.Count, whole.Pages.Count);
        }
    }

    /// <summary>
    /// A body pumped ahead of the parser: each read brings many segments at once, large ones (read in place, one
    /// window each) mixed with runs of small ones (copied together), so tokens straddle every kind of seam, and long
    /// strings outgrow the copied windows.
    /// </summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public void Parse_ManySegmentsPerRead_PagesEqualJsonSerializer(int seed)
    {
        var random = new Random(2000 + seed);
        for (int round = 0; round < 3; round++)
        {
            int maxString = random.Next(3) == 0 ? 300_000 : 20_000;
            byte[] document = RandomBatchDocuments.Create(random, maxPages: 12, maxStringLength: maxString);
            Expected expected = Expected.From(document);
            int[] segmentation = [.. Enumerable.Range(0, 64).Select(_ => random.Next(4) switch
            {
                0 => random.Next(1, 64),
                1 => random.Next(1_000, 16 * 1024),
                _ => random.Next(16 * 1024, 80 * 1024),
            })];
            foreach (int perRead in new[] { 2, 7, int.MaxValue })
            {
                ParserDriver.Result result = ParserDriver.Parse(document, segmentation, basePosition: 100, segmentsPerRead: perRead);
                AssertEqual(expected, result, PageFields.All, $"seed {seed} round {round} {perRead} segments per read");
            }

            // Pausing after every page (or every few) hands out the same pages, one call at a time.
            foreach (int budget in new[] { 1, 30_000 })
            {
                ParserDriver.Result paused = ParserDriver.Parse(document, segmentation, basePosition: 100, segmentsPerRead: int.MaxValue, pageBytesPerCall: budget);
                AssertEqual(expected, paused, PageFields.All, $"seed {seed} round {round} paused every {budget} bytes of pages");
                if (budget == 1)
                {
                    Assert.All(paused.PagesPerRead, count => Assert.InRange(count, 0, 1));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Parse_RandomDocumentWithFieldSelection_KeepsOnlySelectedFields(int seed)
    {
        var random = new Random(1000 + seed);
        PageFields[] selections = [PageFields.Markdown | PageFields.Metadata, PageFields.Metadata, PageFields.Other | PageFields.Links, PageFields.None];
        for (int round = 0; round < 3; round++)
        {
            byte[] document = RandomBatchDocuments.Create(random, maxPages: 5, maxStringLength: 100);
            Expected expected = Expected.From(document);
            foreach (PageFields selection in selections)
            {
                ParserDriver.Result result = ParserDriver.Parse(document, ParserDriver.RandomSegmentation(random, 50), selection, basePosition: 100);
                AssertEqual(expected, result, selection, $"seed {seed} round {round} {selection}");
            }
        }
    }

    private static void AssertEqual(Expected expected, ParserDriver.Result result, PageFields selection, string because)
    {
        Assert.True(expected.Pages.Count == result.Pages.Count, $"page count differs ({because})");
        Assert.Equal(expected.Status, result.Envelope.Status);
        Assert.Equal(expected.Total, result.Envelope.Total);
        Assert.Equal(expected.CreditsUsed, result.Envelope.CreditsUsed);
        Assert.Equal(expected.Next, result.Envelope.Next);
        for (int i = 0; i < expected.Pages.Count; i++)
        {
            ScrapedPage page = result.Pages[i];
            JsonElement want = Filter(expected.Pages[i], selection);
            using JsonDocument got = JsonDocument.Parse(page.Utf8Json);
            Assert.True(JsonElement.DeepEquals(want, got.RootElement), $"page {i} JSON differs ({because}):\n{want}\n---\n{got.RootElement}");
            Assert.Equal(100 + i, page.Position);
            AssertTypedFields(want, page, because);
        }
    }

    private static void AssertTypedFields(JsonElement want, ScrapedPage page, string because)
    {
        Assert.Equal(StringOf(want, "markdown"), page.Markdown);
        Assert.Equal(StringOf(want, "html"), page.Html);
        Assert.Equal(StringOf(want, "rawHtml"), page.RawHtml);
        Assert.Equal(StringOf(want, "screenshot"), page.Screenshot);
        Assert.Equal(StringOf(want, "summary"), page.Summary);
        Assert.Equal(want.TryGetProperty("links", out JsonElement links) ? links.EnumerateArray().Select(l => l.GetString()!) : [], page.Links);

        string[] known = ["markdown", "html", "rawHtml", "screenshot", "summary", "links", "metadata"];
        Assert.Equal(
            want.EnumerateObject().Select(p => p.Name).Where(n => !known.Contains(n)).Order(),
            page.AdditionalProperties.Keys.Order());

        if (!want.TryGetProperty("metadata", out JsonElement metadata))
        {
            Assert.Null(page.Metadata.ScrapeId);
            Assert.True(page.Metadata.Title.IsEmpty);
            return;
        }

        PageMetadata m = page.Metadata;
        Assert.Equal(StringOf(metadata, "scrapeId"), m.ScrapeId);
        Assert.Equal(StringOf(metadata, "sourceURL"), m.SourceUrl);
        Assert.Equal(StringOf(metadata, "url"), m.Url);
        Assert.Equal(StringOf(metadata, "error"), m.Error);
        Assert.Equal(TextOf(metadata, "title"), m.Title.ToArray());
        Assert.Equal(TextOf(metadata, "description"), m.Description.ToArray());
        Assert.Equal(TextOf(metadata, "language"), m.Language.ToArray());
        Assert.Equal(TextOf(metadata, "keywords"), m.Keywords.ToArray());
        Assert.Equal(TextOf(metadata, "ogLocaleAlternate"), m.OgLocaleAlternate);
        int? status = metadata.TryGetProperty("statusCode", out JsonElement code)
            ? code.ValueKind == JsonValueKind.Number ? code.GetInt32() : int.Parse(code.GetString()!, CultureInfo.InvariantCulture)
            : null;
        Assert.Equal(status, m.StatusCode);
        Assert.Equal(metadata.EnumerateObject().Select(p => p.Name).Order(), m.Properties.Keys.Order());
        foreach (JsonProperty property in metadata.EnumerateObject())
        {
            Assert.True(JsonElement.DeepEquals(property.Value, m.Properties[property.Name]), $"metadata {property.Name} differs ({because})");
        }
    }

    private static string? StringOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string[] TextOf(JsonElement element, string name) =>
        !element.TryGetProperty(name, out JsonElement value) ? []
        : value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()!],
            JsonValueKind.Array => [.. value.EnumerateArray().Select(v => v.GetString()!)],
            _ => [],
        };

    private static JsonElement Filter(JsonElement page, PageFields selection)
    {
        if (selection == PageFields.All)
        {
            return page;
        }

        var kept = new Dictionary<string, JsonElement>();
        foreach (JsonProperty property in page.EnumerateObject())
        {
            PageField field = FieldNames.ClassifyPageField(System.Text.Encoding.UTF8.GetBytes(property.Name));
            if (PageScanner.IsSelected(field, selection))
            {
                kept[property.Name] = property.Value;
            }
        }

        // Identity survives any selection: unselected metadata is replaced by its scrapeId, url and sourceURL.
        if ((selection & PageFields.Metadata) == 0 && page.TryGetProperty("metadata", out JsonElement metadata) && metadata.ValueKind == JsonValueKind.Object)
        {
            var identity = new Dictionary<string, JsonElement>();
            foreach (string name in new[] { "scrapeId", "url", "sourceURL" })
            {
                if (metadata.TryGetProperty(name, out JsonElement value))
                {
                    identity[name] = value;
                }
            }

            if (identity.Count > 0)
            {
                kept["metadata"] = JsonSerializer.SerializeToElement(identity);
            }
        }

        return JsonSerializer.SerializeToElement(kept);
    }

    /// <summary>What <see cref="JsonSerializer"/> reads from the whole document.</summary>
    private sealed record Expected(string? Status, long? Total, long? CreditsUsed, string? Next, List<JsonElement> Pages)
    {
        public static Expected From(byte[] document)
        {
            ReadOnlySpan<byte> json = document.AsSpan();
            if (json.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                json = json[3..];
            }

            Dto dto = JsonSerializer.Deserialize<Dto>(json)!;
            return new Expected(dto.status, dto.total, dto.creditsUsed, dto.next, dto.data ?? []);
        }
    }

#pragma warning disable IDE1006, SA1300 // JSON names as the server spells them
    private sealed record Dto(string? status, long? total, long? completed, long? creditsUsed, string? next, List<JsonElement>? data);
#pragma warning restore IDE1006, SA1300
}
