using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Firecrawl.Streaming.Tests.Infrastructure;

/// <summary>
/// Random batch status documents for property tests: unicode (surrogate pairs, CJK, controls), escapes,
/// nulls, nested unknown fields, string-or-array metadata, any key order, optional BOM and whitespace.
/// </summary>
internal static class RandomBatchDocuments
{
    private static readonly string[] Alphabet =
    [
        "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u0001", "\u001f", "é", "ß", "日本", "語", "😀", "𝄞", "\u2028",
        "<", ">", "&", "'", "{", "}", "[", "]", ",", ":", "\ud7ff", "\ue000", "\uffff",
    ];

    public static byte[] Create(Random random, int maxPages, int maxStringLength)
    {
        var pages = new JsonArray();
        int count = random.Next(0, maxPages + 1);
        for (int i = 0; i < count; i++)
        {
            pages.Add(Page(random, i, maxStringLength));
        }

        var root = new List<KeyValuePair<string, JsonNode?>>
        {
            new("success", true),
            new("status", random.Next(3) == 0 ? "scraping" : "completed"),
            new("total", random.Next(0, 1000)),
            new("completed", random.Next(0, 1000)),
            new("creditsUsed", random.Next(-1, 1000)),
            new("expiresAt", "2026-12-01T10:00:00.000Z"),
            new("data", pages),
        };
        if (random.Next(2) == 0)
        {
            root.Add(new("next", random.Next(2) == 0 ? null : "https://api.firecrawl.dev/v2/batch/scrape/job?skip=" + count));
        }

        if (random.Next(2) == 0)
        {
            root.Add(new("unknownTop", Unknown(random, 3, maxStringLength)));
        }

        Shuffle(random, root);
        var document = new JsonObject(root);
        var options = new JsonWriterOptions
        {
            Indented = random.Next(3) == 0,
            Encoder = random.Next(2) == 0 ? JavaScriptEncoder.UnsafeRelaxedJsonEscaping : JavaScriptEncoder.Default,
        };
        using var stream = new MemoryStream();
        if (random.Next(4) == 0)
        {
            stream.Write([0xEF, 0xBB, 0xBF]);
        }

        using (var writer = new Utf8JsonWriter(stream, options))
        {
            document.WriteTo(writer);
        }

        return stream.ToArray();
    }

    private static JsonObject Page(Random random, int index, int maxStringLength)
    {
        var fields = new List<KeyValuePair<string, JsonNode?>>();
        void Maybe(string name, Func<JsonNode?> value)
        {
            if (random.Next(4) != 0)
            {
                fields.Add(new(name, value()));
            }
        }

        Maybe("markdown", () => NullOr(random, Text(random, maxStringLength)));
        Maybe("html", () => NullOr(random, Text(random, maxStringLength)));
        Maybe("rawHtml", () => NullOr(random, Text(random, maxStringLength)));
        Maybe("screenshot", () => NullOr(random, Convert.ToBase64String(RandomBytes(random, maxStringLength))));
        Maybe("summary", () => NullOr(random, Text(random, 40)));
        Maybe("links", () => new JsonArray([.. Enumerable.Range(0, random.Next(0, 4)).Select(_ => (JsonNode?)Text(random, 30))]));
        Maybe("images", () => Unknown(random, 2, 30));
        Maybe("json", () => Unknown(random, 4, 30));
        Maybe("\u00fcnknown\u2603", () => Unknown(random, 3, 30));
        Maybe("metadata", () => Metadata(random, index));
        Shuffle(random, fields);
        return new JsonObject(fields);
    }

    private static JsonObject Metadata(Random random, int index)
    {
        var fields = new List<KeyValuePair<string, JsonNode?>>
        {
            new("scrapeId", random.Next(8) == 0 ? $"not-a-guid-{index}" : Guid.NewGuid().ToString()),
            new("title", StringOrArray(random)),
            new("description", StringOrArray(random)),
            new("language", random.Next(5) == 0 ? null : StringOrArray(random)),
            new("keywords", StringOrArray(random)),
            new("sourceURL", "https://example.com/" + Text(random, 20)),
            new("url", "https://example.com/final/" + index),
            new("statusCode", random.Next(3) == 0 ? JsonValue.Create(random.Next(100, 600).ToString(System.Globalization.CultureInfo.InvariantCulture)) : JsonValue.Create(random.Next(100, 600))),
            new("ogLocaleAlternate", new JsonArray("en_GB", Text(random, 5))),
            new("og:title", Text(random, 20)),
            new("error", random.Next(2) == 0 ? null : Text(random, 20)),
            new("viewport", Unknown(random, 2, 10)),
        };
        Shuffle(random, fields);
        return new JsonObject(fields.Where(_ => random.Next(6) != 0));
    }

    private static JsonNode StringOrArray(Random random) => random.Next(3) == 0
        ? new JsonArray([.. Enumerable.Range(0, random.Next(0, 3)).Select(_ => (JsonNode?)Text(random, 15))])
        : JsonValue.Create(Text(random, 25));

    private static JsonNode? Unknown(Random random, int depth, int maxStringLength) => random.Next(depth <= 0 ? 4 : 7) switch
    {
        0 => null,
        1 => JsonValue.Create(random.NextDouble() * 1e6),
        2 => JsonValue.Create(random.Next(2) == 0),
        3 => JsonValue.Create(Text(random, maxStringLength)),
        4 => new JsonArray([.. Enumerable.Range(0, random.Next(0, 4)).Select(_ => Unknown(random, depth - 1, maxStringLength))]),
        _ => new JsonObject(Enumerable.Range(0, random.Next(0, 4)).Select(i => new KeyValuePair<string, JsonNode?>("k" + i + Text(random, 3), Unknown(random, depth - 1, maxStringLength)))),
    };

    private static JsonNode? NullOr(Random random, string value) => random.Next(6) == 0 ? null : JsonValue.Create(value);

    private static string Text(Random random, int maxLength)
    {
        int length = random.Next(0, maxLength + 1);
        var builder = new StringBuilder(length);
        while (builder.Length < length)
        {
            builder.Append(Alphabet[random.Next(Alphabet.Length)]);
        }

        return builder.ToString();
    }

    private static byte[] RandomBytes(Random random, int maxLength)
    {
        byte[] bytes = new byte[random.Next(0, maxLength + 1)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static void Shuffle<T>(Random random, List<T> list)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
