using System.Text.Json;

namespace Firecrawl.Streaming.Testing;

/// <summary>The start bodies' schemas: strict key lists and the types of the documented fields.</summary>
public sealed partial class FakeFirecrawlServer
{
    /// <summary>The keys of <c>ScrapeOptions</c> in the v2 OpenAPI, flattened into a batch body or nested as a crawl's <c>scrapeOptions</c>.</summary>
    private static readonly Dictionary<string, JsonValueKind?> ScrapeOptionFields = new(StringComparer.Ordinal)
    {
        ["formats"] = JsonValueKind.Array,
        ["onlyMainContent"] = JsonValueKind.True,
        ["onlyCleanContent"] = JsonValueKind.True,
        ["includeTags"] = JsonValueKind.Array,
        ["excludeTags"] = JsonValueKind.Array,
        ["maxAge"] = JsonValueKind.Number,
        ["minAge"] = JsonValueKind.Number,
        ["headers"] = JsonValueKind.Object,
        ["waitFor"] = JsonValueKind.Number,
        ["mobile"] = JsonValueKind.True,
        ["skipTlsVerification"] = JsonValueKind.True,
        ["timeout"] = JsonValueKind.Number,
        ["parsers"] = JsonValueKind.Array,
        ["actions"] = JsonValueKind.Array,
        ["location"] = JsonValueKind.Object,
        ["removeBase64Images"] = JsonValueKind.True,
        ["blockAds"] = JsonValueKind.True,
        ["proxy"] = JsonValueKind.String,
        ["storeInCache"] = JsonValueKind.True,
        ["lockdown"] = JsonValueKind.True,
        ["profile"] = JsonValueKind.Object,
        // Unions (a boolean or an object): their shape is not checked.
        ["redactPII"] = null,
        ["threatProtection"] = null,
        ["auditMetadata"] = null,
    };

    private static readonly Dictionary<string, JsonValueKind?> BatchFields = new(ScrapeOptionFields, StringComparer.Ordinal)
    {
        ["urls"] = JsonValueKind.Array,
        ["webhook"] = null,
        ["maxConcurrency"] = JsonValueKind.Number,
        ["ignoreInvalidURLs"] = JsonValueKind.True,
        ["zeroDataRetention"] = JsonValueKind.True,
    };

    private static readonly Dictionary<string, JsonValueKind?> CrawlFields = new(StringComparer.Ordinal)
    {
        ["url"] = JsonValueKind.String,
        ["prompt"] = JsonValueKind.String,
        ["excludePaths"] = JsonValueKind.Array,
        ["includePaths"] = JsonValueKind.Array,
        ["maxDiscoveryDepth"] = JsonValueKind.Number,
        ["sitemap"] = JsonValueKind.String,
        ["ignoreQueryParameters"] = JsonValueKind.True,
        ["regexOnFullURL"] = JsonValueKind.True,
        ["limit"] = JsonValueKind.Number,
        ["crawlEntireDomain"] = JsonValueKind.True,
        ["allowExternalLinks"] = JsonValueKind.True,
        ["allowSubdomains"] = JsonValueKind.True,
        ["ignoreRobotsTxt"] = JsonValueKind.True,
        ["robotsUserAgent"] = JsonValueKind.String,
        ["delay"] = JsonValueKind.Number,
        ["maxConcurrency"] = JsonValueKind.Number,
        ["webhook"] = null,
        ["scrapeOptions"] = JsonValueKind.Object,
        ["zeroDataRetention"] = JsonValueKind.True,
    };

    private static readonly HashSet<string> WebhookFields = new(["url", "headers", "metadata", "events"], StringComparer.Ordinal);

    /// <summary>Checks an object against a strict field list (JsonValueKind.True stands for a boolean); null when it passes.</summary>
    private static string? CheckFields(JsonElement body, Dictionary<string, JsonValueKind?> fields, string prefix)
    {
        foreach (JsonProperty property in body.EnumerateObject())
        {
            if (!fields.TryGetValue(property.Name, out JsonValueKind? expected))
            {
                return $"Bad Request: unrecognized key in body: '{prefix}{property.Name}'";
            }

            JsonValueKind actual = property.Value.ValueKind == JsonValueKind.False ? JsonValueKind.True : property.Value.ValueKind;
            if (expected is JsonValueKind kind && actual != kind)
            {
                return $"Bad Request: {prefix}{property.Name}: expected {Describe(kind)}, received {Describe(actual)}";
            }
        }

        return null;
    }

    private static string? CheckBatchBody(JsonElement body)
    {
        if (CheckFields(body, BatchFields, "") is string error)
        {
            return error;
        }

        if (!body.TryGetProperty("urls", out JsonElement urls))
        {
            return "Bad Request: urls: Required";
        }

        if (urls.GetArrayLength() == 0)
        {
            return "Bad Request: urls: Array must contain at least 1 element(s)";
        }

        if (urls.EnumerateArray().Any(u => u.ValueKind != JsonValueKind.String))
        {
            return "Bad Request: urls: expected an array of strings";
        }

        return CheckCommon(body);
    }

    private static string? CheckCrawlBody(JsonElement body)
    {
        if (CheckFields(body, CrawlFields, "") is string error)
        {
            return error;
        }

        if (!body.TryGetProperty("url", out JsonElement url))
        {
            return "Bad Request: url: Required";
        }

        if (!IsValidUrl(url.GetString()))
        {
            return "Bad Request: url: Invalid URL";
        }

        if (body.TryGetProperty("limit", out JsonElement limit) && (!limit.TryGetInt32(out int value) || value < 1))
        {
            return "Bad Request: limit: expected a positive integer";
        }

        if (body.TryGetProperty("scrapeOptions", out JsonElement options) && CheckFields(options, ScrapeOptionFields, "scrapeOptions.") is string nested)
        {
            return nested;
        }

        return CheckCommon(body);
    }

    private static string? CheckCommon(JsonElement body)
    {
        if (body.TryGetProperty("maxConcurrency", out JsonElement concurrency) && (!concurrency.TryGetInt32(out int value) || value < 1))
        {
            return "Bad Request: maxConcurrency: expected a positive integer";
        }

        if (!body.TryGetProperty("webhook", out JsonElement webhook) || webhook.ValueKind == JsonValueKind.String)
        {
            return null;
        }

        if (webhook.ValueKind != JsonValueKind.Object)
        {
            return "Bad Request: webhook: expected a URL or an object";
        }

        foreach (JsonProperty property in webhook.EnumerateObject())
        {
            if (!WebhookFields.Contains(property.Name))
            {
                return $"Bad Request: unrecognized key in body: 'webhook.{property.Name}'";
            }
        }

        return webhook.TryGetProperty("url", out JsonElement target) && target.ValueKind == JsonValueKind.String
            ? null
            : "Bad Request: webhook.url: Required";
    }

    /// <summary>What the fake takes as a scrapable URL: absolute, http or https, with a host.</summary>
    private static bool IsValidUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out Uri? uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Host.Length > 0;

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => "number",
        JsonValueKind.String => "string",
        JsonValueKind.Array => "array",
        JsonValueKind.Object => "object",
        _ => "null",
    };
}
