using System.Net;
using System.Text;
using System.Text.Json;
using Firecrawl.Streaming.Testing;

namespace Firecrawl.Streaming.Tests.Testing;

/// <summary>The status request faults added for redirects, empty and cut bodies, self-referencing links and invalid UTF-8.</summary>
public class StatusFaultTests : KitTestBase
{
    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task Redirect_OtherOrigin_AnswersStatusAndLocation(int code)
    {
        FakeJob job = Server.AddJob(Pages(3));
        job.Faults.Enqueue(FakeFault.Redirect(new Uri("https://evil.example/v2/batch/scrape/x?skip=0"), code));

        using HttpResponseMessage response = await Http.GetAsync($"v2/batch/scrape/{job.Id}", Ct);

        Assert.Equal((HttpStatusCode)code, response.StatusCode);
        Assert.Equal(new Uri("https://evil.example/v2/batch/scrape/x?skip=0"), response.Headers.Location);
        Assert.Equal(0, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Redirect_SameOriginOtherQuery_NextRequestServedNormally()
    {
        FakeJob job = Server.AddJob(Pages(3), new FakeJobOptions { Kind = FakeJobKind.Crawl });
        var target = new Uri(Server.BaseAddress, $"v2/crawl/{job.Id}?skip=1");
        job.Faults.Enqueue(FakeFault.Redirect(target), atSkip: 0);

        using HttpResponseMessage redirect = await Http.GetAsync($"v2/crawl/{job.Id}", Ct);
        (HttpStatusCode status, JsonElement body) = await GetJsonAsync(redirect.Headers.Location!.ToString());

        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["page-1", "page-2"], ScrapeIds(body));
    }

    [Theory]
    [InlineData(200)]
    [InlineData(304)]
    public void Redirect_NotARedirectStatus_Throws(int code) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => FakeFault.Redirect(new Uri("https://a.example/"), code));

    [Fact]
    public void Redirect_RelativeLocation_Throws() =>
        Assert.Throws<ArgumentException>(() => FakeFault.Redirect(new Uri("/v2/x", UriKind.Relative)));

    [Fact]
    public async Task EmptyBody_Answers200WithContentLengthZero()
    {
        FakeJob job = Server.AddJob(Pages(3));
        job.Faults.Enqueue(FakeFault.EmptyBody());

        using HttpResponseMessage response = await Http.GetAsync($"v2/batch/scrape/{job.Id}", Ct);
        byte[] body = await response.Content.ReadAsByteArrayAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
        Assert.Empty(body);
        Assert.Equal(1, job.StatusRequests);
    }

    [Fact]
    public async Task CutBody_DeclaresFullLengthButClosesEarly()
    {
        FakeJob job = Server.AddJob(Pages(5));
        using HttpResponseMessage whole = await Http.GetAsync($"v2/batch/scrape/{job.Id}", Ct);
        long full = (await whole.Content.ReadAsByteArrayAsync(Ct)).Length;
        job.Faults.Enqueue(FakeFault.CutBody(100));

        using HttpResponseMessage response = await Http.GetAsync($"v2/batch/scrape/{job.Id}", HttpCompletionOption.ResponseHeadersRead, Ct);
        Stream stream = await response.Content.ReadAsStreamAsync(Ct);
        var received = new MemoryStream();
        Exception? error = await Record.ExceptionAsync(() => stream.CopyToAsync(received, Ct));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(full, response.Content.Headers.ContentLength);
        Assert.Null(response.Headers.TransferEncodingChunked);
        Assert.IsAssignableFrom<IOException>(error);
        Assert.Equal(100, received.Length);
    }

    [Fact]
    public async Task CutBody_MoreBytesThanTheBody_StillCutsOneShort()
    {
        FakeJob job = Server.AddJob(Pages(1));
        job.Faults.Enqueue(FakeFault.CutBody(long.MaxValue));

        using HttpResponseMessage response = await Http.GetAsync($"v2/batch/scrape/{job.Id}", HttpCompletionOption.ResponseHeadersRead, Ct);
        var received = new MemoryStream();
        Exception? error = await Record.ExceptionAsync(async () => await (await response.Content.ReadAsStreamAsync(Ct)).CopyToAsync(received, Ct));

        Assert.IsAssignableFrom<IOException>(error);
        Assert.Equal(response.Content.Headers.ContentLength - 1, received.Length);
    }

    [Fact]
    public async Task DropAfterBytes_Unchanged_ReadFailsWithoutContentLength()
    {
        FakeJob job = Server.AddJob(Pages(5));
        job.Faults.Enqueue(FakeFault.DropAfterBytes(100));

        // The abort can reset the connection before even the headers leave, so only the failure is certain.
        Exception? error = await Record.ExceptionAsync(async () =>
        {
            using HttpResponseMessage response = await Http.GetAsync($"v2/batch/scrape/{job.Id}", HttpCompletionOption.ResponseHeadersRead, Ct);
            Assert.Null(response.Content.Headers.ContentLength);
            await response.Content.ReadAsByteArrayAsync(Ct);
        });

        Assert.True(error is HttpRequestException or IOException, $"unexpected {error}");
    }

    [Fact]
    public async Task SelfReferencingNext_FinishedJob_NextPointsAtTheSameSkip()
    {
        FakeJob job = Server.AddJob(Pages(5), new FakeJobOptions { PageLimit = 3 });
        job.Faults.Enqueue(FakeFault.SelfReferencingNext(), atSkip: 3);

        (_, JsonElement body) = await GetJsonAsync($"v2/batch/scrape/{job.Id}?skip=3&limit=3");
        (_, JsonElement again) = await GetJsonAsync(body.GetProperty("next").GetString()!);

        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal(["page-3", "page-4"], ScrapeIds(body));
        Assert.Equal($"{Server.BaseAddress}v2/batch/scrape/{job.Id}?skip=3&limit=3", body.GetProperty("next").GetString());
        Assert.Equal(["page-3", "page-4"], ScrapeIds(again));
        Assert.False(again.TryGetProperty("next", out _));
    }

    [Fact]
    public async Task SelfReferencingNext_EnqueuedRepeatedly_ReaderLoopsUntilTheScriptRunsOut()
    {
        FakeJob job = Server.AddJob(Pages(2), new FakeJobOptions { Kind = FakeJobKind.Crawl });
        for (int i = 0; i < 3; i++)
        {
            job.Faults.Enqueue(FakeFault.SelfReferencingNext(), atSkip: 0);
        }

        List<string> ids = await ReadAllScrapeIdsAsync($"v2/crawl/{job.Id}");

        Assert.Equal(8, ids.Count);
        Assert.Equal(4, job.StatusRequests);
        Assert.All(Server.Requests, r => Assert.Equal($"/v2/crawl/{job.Id}", r.Path));
    }

    [Fact]
    public async Task InvalidUtf8_CorruptsTheFirstPagesMarkdownAndKeepsTheJsonStructure()
    {
        FakeJob job = Server.AddJob(Pages(3));
        job.Faults.Enqueue(FakeFault.InvalidUtf8());

        using HttpResponseMessage response = await Http.GetAsync($"v2/batch/scrape/{job.Id}", Ct);
        byte[] body = await response.Content.ReadAsByteArrayAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Throws<DecoderFallbackException>(() => new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body));
        int at = body.AsSpan().IndexOf([(byte)0xFF, (byte)0xFE, (byte)0xE6]);
        Assert.True(at > 0);
        byte[] repaired = (byte[])body.Clone();
        repaired[at] = repaired[at + 1] = repaired[at + 2] = (byte)'x';
        using JsonDocument document = JsonDocument.Parse(repaired);
        JsonElement[] data = [.. document.RootElement.GetProperty("data").EnumerateArray()];
        Assert.Equal(3, data.Length);
        Assert.Contains("xxx", data[0].GetProperty("markdown").GetString(), StringComparison.Ordinal);
        Assert.Equal(["page-0", "page-1", "page-2"], ScrapeIds(document.RootElement));
    }

    [Fact]
    public async Task InvalidUtf8_GeneratedPages_CorruptionStaysInsideTheMarkdownString()
    {
        FakeJob job = Server.AddJob(FakePageGenerator.Generate(2, seed: 3));
        job.Faults.Enqueue(FakeFault.InvalidUtf8());

        byte[] body = await Http.GetByteArrayAsync($"v2/batch/scrape/{job.Id}", Ct);
        int at = body.AsSpan().IndexOf([(byte)0xFF, (byte)0xFE, (byte)0xE6]);
        body[at] = body[at + 1] = body[at + 2] = (byte)'x';
        using JsonDocument document = JsonDocument.Parse(body);

        string original = JsonDocument.Parse(job.GetPage(0)).RootElement.GetProperty("markdown").GetString()!;
        string corrupted = document.RootElement.GetProperty("data")[0].GetProperty("markdown").GetString()!;
        Assert.Equal(original.Length, corrupted.Length);
        Assert.NotEqual(original, corrupted);
    }

    [Fact]
    public async Task InvalidUtf8_EmptyChunk_SentUnchanged()
    {
        FakeJob job = Server.AddJob(Pages(2));
        job.Faults.Enqueue(FakeFault.InvalidUtf8(), atSkip: 5);

        byte[] body = await Http.GetByteArrayAsync($"v2/batch/scrape/{job.Id}?skip=5", Ct);

        Assert.Empty(JsonDocument.Parse(body).RootElement.GetProperty("data").EnumerateArray());
    }
}
