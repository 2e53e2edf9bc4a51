using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Firecrawl.Streaming.Tests.Jobs;

public sealed record Product(string Name, decimal Price);

[JsonSerializable(typeof(Product))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
public sealed partial class ProductJsonContext : JsonSerializerContext;

/// <summary>Documented fields the parser keeps losslessly, read through their typed accessors.</summary>
public class TypedFieldsTests : FakeServerTestBase
{
    private const string FullPage = """
        {"markdown":"# Widget","json":{"name":"Widget","price":12.5},
         "pages":[{"pageNumber":1,"markdown":"one"},{"pageNumber":"2","markdown":"two"},{"markdown":"three"},"junk"],
         "actions":{"screenshots":["https://shots.example/1.png"],"scrapes":[]},
         "changeTracking":{"changeStatus":"changed","visibility":"visible","previousScrapeAt":null},
         "warning":"The extraction was partial.",
         "metadata":{"scrapeId":"00000000-0000-0000-0000-000000000001","sourceURL":"https://shop.example/w.pdf",
                     "numPages":"3","totalPages":12.0,"concurrencyLimited":true}}
        """;

    private const string PlainPage = """
        {"markdown":"# Plain","json":null,"warning":null,"metadata":{"scrapeId":"00000000-0000-0000-0000-000000000002","numPages":"many","concurrencyLimited":"false"}}
        """;

    [Fact]
    public async Task ScrapedPage_DocumentedFields_DecodedFromTheLosslessProperties()
    {
        ScrapedPage page = (await ReadPagesAsync())[0];

        Assert.Equal(new Product("Widget", 12.5m), page.DeserializeJson(ProductJsonContext.Default.Product));
        Assert.Equal(JsonValueKind.Object, page.Json?.ValueKind);
        Assert.Equal([new PdfPage(1, "one"), new PdfPage(2, "two"), new PdfPage(null, "three")], page.Pages);
        Assert.Equal("https://shots.example/1.png", page.Actions?.GetProperty("screenshots")[0].GetString());
        Assert.Equal("changed", page.ChangeTracking?.GetProperty("changeStatus").GetString());
        Assert.Equal("The extraction was partial.", page.Warning);
        Assert.Equal((3, 12, true), (page.Metadata.NumPages, page.Metadata.TotalPages, page.Metadata.ConcurrencyLimited));
        Assert.True(page.AdditionalProperties.ContainsKey("json"));
        Assert.True(page.Metadata.TryGetValue("numPages", out _));
    }

    [Fact]
    public async Task ScrapedPage_FieldsAbsentNullOrUnreadable_NullOrEmpty()
    {
        ScrapedPage page = (await ReadPagesAsync())[1];

        Assert.Null(page.Json);
        Assert.Null(page.DeserializeJson(ProductJsonContext.Default.Product));
        Assert.Empty(page.Pages);
        Assert.Null(page.Actions);
        Assert.Null(page.ChangeTracking);
        Assert.Null(page.Warning);
        Assert.Null(page.Metadata.NumPages);
        Assert.Null(page.Metadata.TotalPages);
        Assert.False(page.Metadata.ConcurrencyLimited);
    }

    [Fact]
    public async Task JobStatus_CreatedCompletedAndDuration_ReadFromTheStatusResponse()
    {
        JobStatus status = await ReadStatusAsync(
            """ "createdAt":"2026-11-28T10:00:00.000Z","completedAt":"2026-11-28T10:01:30.500Z","duration":90.5, """);

        Assert.Equal(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero), status.CreatedAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 10, 1, 30, 500, TimeSpan.Zero), status.CompletedAt);
        Assert.Equal(TimeSpan.FromSeconds(90.5), status.Duration);
        Assert.Equal(("completed", 2L), (status.Status, status.Completed));
    }

    [Fact]
    public async Task JobStatus_DurationAsStringAndNoDates_SecondsAndNulls()
    {
        JobStatus status = await ReadStatusAsync(""" "duration":"12", "createdAt":null, """);

        Assert.Equal(TimeSpan.FromSeconds(12), status.Duration);
        Assert.Null(status.CreatedAt);
        Assert.Null(status.CompletedAt);
    }

    private async Task<List<ScrapedPage>> ReadPagesAsync()
    {
        FakeJob job = Server.AddJob([Encoding.UTF8.GetBytes(FullPage), Encoding.UTF8.GetBytes(PlainPage)]);
        using FirecrawlJobClient client = Client();
        return await ReadAllAsync(client.StreamBatchScrapeAsync(job.Id, cancellationToken: Ct));
    }

    /// <summary>Streams a job from a server that answers one hand-written status body (the testing kit sends none of these fields).</summary>
    private static async Task<JobStatus> ReadStatusAsync(string extraFields)
    {
        string body = $$"""
            {"success":true,"status":"completed","total":2,"completed":2,"creditsUsed":2,"expiresAt":"2026-11-29T10:00:00.000Z",{{extraFields}}
             "data":[{{FullPage}},{{PlainPage}}]}
            """;
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        await using WebApplication app = builder.Build();
        app.Run(context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(body, context.RequestAborted);
        });
        await app.StartAsync(Ct);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new FirecrawlJobClient(new FirecrawlJobClientOptions { BaseAddress = new Uri(address), ApiKey = "fc-test" });

        JobPages pages = client.StreamBatchScrapeAsync(Guid.NewGuid().ToString(), cancellationToken: Ct);
        Assert.Equal(2, (await ReadAllAsync(pages)).Count);
        await app.StopAsync(Ct);
        return pages.Status!;
    }
}
