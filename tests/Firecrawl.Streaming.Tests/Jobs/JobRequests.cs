using System.Text.Json;
using Firecrawl.Streaming.Testing;

namespace Firecrawl.Streaming.Tests.Jobs;

/// <summary>Reading what the fake server received from the lifecycle calls.</summary>
internal static class JobRequests
{
    public static List<RecordedRequest> Posts(FakeFirecrawlServer server) => [.. server.Requests.Where(r => r.Method == "POST")];

    public static JsonElement Body(RecordedRequest request)
    {
        Assert.NotNull(request.Body);
        using JsonDocument document = JsonDocument.Parse(request.Body);
        return document.RootElement.Clone();
    }

    public static string[] Names(JsonElement body) => [.. body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    public static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    public static string[] Sorted(params string[] names) => [.. names.Order(StringComparer.Ordinal)];

    public static JsonElement Json(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
