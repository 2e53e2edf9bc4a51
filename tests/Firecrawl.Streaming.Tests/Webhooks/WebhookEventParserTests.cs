using System.Text;
using Firecrawl.Streaming.Webhooks;
using Firecrawl.Streaming.Webhooks.Events;

namespace Firecrawl.Streaming.Tests.Webhooks;

public sealed class WebhookEventParserTests
{
    private static ParsedDelivery Parse(string json) => WebhookEventParser.Parse(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("""[]""")]
    [InlineData("""{"success":true,"id":"j","data":[]}""")]                                   // no type
    [InlineData("""{"success":true,"type":"batch_scrape.page","data":[{"metadata":{}}]}""")]  // no job id
    [InlineData("""{"success":true,"type":"batch_scrape.page","id":"j","data":[]}""")]       // a page event without a page
    [InlineData("""{"success":true,"type":"batch_scrape.page","id":"j","data":[1]}""")]      // data holds no object
    [InlineData("""{"success":"yes","type":"crawl.completed","id":"j","data":[]}""")]
    [InlineData("""{"success":true,"type":"extract.completed","id":"j","data":[]}""")]
    [InlineData("""{"success":true,"type":"crawl.finished","id":"j","data":[]}""")]
    [InlineData("""{"success":true,"type":"crawl.completed","id":"j","data":{}}""")]
    [InlineData("""{"success":true,"type":"crawl.completed","id":"j","data":[]} {}""")]
    [InlineData("""{"success":true,"type":"crawl.completed","id":"j","data":[""")]
    public void Parse_NotAWebhookPayload_Refused(string json) =>
        Assert.Throws<WebhookPayloadException>(() => Parse(json));

    [Fact]
    public void Parse_PageEvent_FieldsPageAndIdentity()
    {
        ParsedDelivery delivery = Parse("""
            {"success":true,"type":"crawl.page","id":"job-7","webhookId":"w-1","unknown":{"x":[1,2]},
             "data":[{"markdown":"# Hi","metadata":{"scrapeId":"0a4f7d8e-1111-4222-8333-944455556666","sourceURL":"https://a.example/x","statusCode":200}}],
             "metadata":{"tenant":"acme","n":5}}
            """);

        Assert.Equal((WebhookEventType.Page, JobKind.Crawl, "job-7", "w-1", true), (delivery.EventType, delivery.Kind, delivery.JobId, delivery.WebhookId, delivery.Success));
        Assert.Equal(["0a4f7d8e-1111-4222-8333-944455556666"], delivery.PageKeys);
        Assert.Equal("acme", delivery.Metadata["tenant"]);
        Assert.Equal("5", delivery.Metadata["n"]);
        WebhookEvent e = delivery.ToEvent(sequence: 12, firstPosition: 3);
        ScrapedPage page = Assert.Single(e.Pages);
        Assert.Equal(("# Hi", 3L, "job-7", JobKind.Crawl), (page.Markdown, page.Position, page.JobId, page.JobKind));
        Assert.Equal(12, e.Sequence);
        Assert.Null(e.FailedPageUrl);
    }

    [Fact]
    public void Parse_FailedPage_ErrorAndUrl()
    {
        ParsedDelivery delivery = Parse("""{"success":false,"type":"batch_scrape.page","id":"j","webhookId":null,"error":"timed out","data":[{"metadata":{"sourceURL":"https://b.example/"}}]}""");

        WebhookEvent e = delivery.ToEvent(0, 0);
        Assert.False(e.Success);
        Assert.Null(e.WebhookId);
        Assert.Equal("timed out", e.Error);
        Assert.Equal("https://b.example/", e.FailedPageUrl);
    }
}
