using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Firecrawl.Streaming.Testing;

namespace Firecrawl.Streaming.Tests.Testing;

/// <summary>
/// A fake server per test and a plain <see cref="HttpClient"/> on loopback: the kit is tested on its own,
/// never through the library it fakes.
/// </summary>
public abstract class KitTestBase : IAsyncLifetime
{
    protected FakeFirecrawlServer Server { get; private set; } = null!;

    /// <summary>A client with the server's key that does not follow redirects (so they can be asserted).</summary>
    protected HttpClient Http { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The options the server starts with; override to change them.</summary>
    protected virtual FakeServerOptions ServerOptions => new();

    public async ValueTask InitializeAsync()
    {
        Server = await FakeFirecrawlServer.StartAsync(ServerOptions, Ct);
        Http = NewClient();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A client of its own (its own connections), with the server's current key unless told otherwise.</summary>
    protected HttpClient NewClient(string? apiKey = null, TimeSpan? timeout = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = Server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey ?? Server.ApiKey);
        if (timeout is TimeSpan limit)
        {
            client.Timeout = limit;
        }

        return client;
    }

    /// <summary>Small pages with a recognisable scrape id: <c>page-{i}</c>.</summary>
    protected static IReadOnlyList<byte[]> Pages(int count) =>
        [.. Enumerable.Range(0, count).Select(i => Encoding.UTF8.GetBytes(
            $"{{\"markdown\":\"# Page {i}\\n\\nSome text, \\\"quoted\\\".\",\"metadata\":{{\"sourceURL\":\"https://example.com/{i}\",\"scrapeId\":\"page-{i}\"}}}}"))];

    protected static async Task<(HttpStatusCode Status, JsonElement Body)> GetJsonAsync(HttpClient client, string url)
    {
        using HttpResponseMessage response = await client.GetAsync(url, Ct);
        return (response.StatusCode, await ReadJsonAsync(response));
    }

    protected Task<(HttpStatusCode Status, JsonElement Body)> GetJsonAsync(string url) => GetJsonAsync(Http, url);

    protected async Task<(HttpStatusCode Status, JsonElement Body)> SendJsonAsync(HttpMethod method, string url, string? body = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("x-idempotency-key", idempotencyKey);
        }

        using HttpResponseMessage response = await Http.SendAsync(request, Ct);
        return (response.StatusCode, await ReadJsonAsync(response));
    }

    protected Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string url, string body, string? idempotencyKey = null) =>
        SendJsonAsync(HttpMethod.Post, url, body, idempotencyKey);

    protected Task<(HttpStatusCode Status, JsonElement Body)> DeleteAsync(string url) => SendJsonAsync(HttpMethod.Delete, url);

    /// <summary>Follows <c>next</c> from <paramref name="url"/> until a response has none; returns every page's scrape id in order.</summary>
    protected async Task<List<string>> ReadAllScrapeIdsAsync(string url, int maxRequests = 100)
    {
        var ids = new List<string>();
        string? next = url;
        for (int i = 0; next is not null; i++)
        {
            Assert.True(i < maxRequests, $"still following next after {maxRequests} requests");
            (HttpStatusCode status, JsonElement body) = await GetJsonAsync(next);
            Assert.Equal(HttpStatusCode.OK, status);
            ids.AddRange(ScrapeIds(body));
            next = body.TryGetProperty("next", out JsonElement link) && link.ValueKind == JsonValueKind.String ? link.GetString() : null;
        }

        return ids;
    }

    protected static List<string> ScrapeIds(JsonElement body) =>
        [.. body.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("metadata").GetProperty("scrapeId").GetString()!)];

    protected static string Error(JsonElement body) => body.GetProperty("error").GetString()!;

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        byte[] bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        if (bytes.Length == 0)
        {
            return default;
        }

        using JsonDocument document = JsonDocument.Parse(bytes);
        return document.RootElement.Clone();
    }
}
