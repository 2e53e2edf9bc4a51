using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Firecrawl.Streaming.Testing;

/// <summary>Writing status bodies, error bodies and faults.</summary>
public sealed partial class FakeFirecrawlServer
{
    private static readonly byte[] Comma = ","u8.ToArray();
    private static readonly byte[] Close = "]}"u8.ToArray();

    private static async Task WriteErrorAsync(HttpContext context, int status, string error, TimeSpan? retryAfter = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        if (retryAfter is TimeSpan delay)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        await context.Response.WriteAsync(JsonSerializer.Serialize(new { success = false, error }), context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteErrorsAsync(HttpContext context, FakeJob job)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            errors = job.Options.Errors.Select((e, i) => new { id = $"err-{i}", timestamp = "2026-11-28T10:00:00.000Z", url = e.Url, code = e.Code, error = e.Error }),
            robotsBlocked = job.Options.RobotsBlocked,
        };
        await context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteStatusAsync(HttpContext context, FakeJob job, int skip, int? limit)
    {
        FakeFault? fault = job.Faults.Take(skip);
        (string status, int visible) = job.Observe();
        switch (fault?.Kind)
        {
            case FakeFaultKind.Status:
                await WriteErrorAsync(context, fault.StatusCode, fault.Error!, fault.RetryAfter).ConfigureAwait(false);
                return;
            case FakeFaultKind.SuccessFalse:
                context.Response.ContentType = "application/json; charset=utf-8";
                await context.Response.WriteAsync(JsonSerializer.Serialize(new { success = false, status = "failed", error = fault.Error }), context.RequestAborted).ConfigureAwait(false);
                return;
            case FakeFaultKind.Html:
                context.Response.StatusCode = fault.StatusCode;
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>", context.RequestAborted).ConfigureAwait(false);
                return;
        }

        int start = fault?.Kind == FakeFaultKind.DuplicatePages ? Math.Max(0, skip - fault.Count) : skip;
        int pageLimit = Math.Clamp(limit ?? job.Options.PageLimit, 1, 1000);
        int count = job.ChunkLength(start, pageLimit, visible);
        IEnumerable<byte[]> pages = Enumerable.Range(start, count).Select(job.GetPage);
        int nextSkip = start + count;
        bool finished = status != "scraping";
        bool hasNext = !finished || nextSkip < visible || job.Options.NextOnFinishedJob;
        string origin = fault?.Kind == FakeFaultKind.ForeignNext
            ? fault.Origin!.GetLeftPart(UriPartial.Authority)
            : $"{context.Request.Scheme}://{context.Request.Host}";
        string? next = hasNext
            ? $"{origin}/v2/batch/scrape/{job.Id}?skip={nextSkip}{(limit is null ? "" : $"&limit={limit}")}"
            : null;
        byte[] head = Head(job, status, visible, next);

        context.Response.ContentType = "application/json; charset=utf-8";
        if (fault is null || fault.Kind is FakeFaultKind.ForeignNext or FakeFaultKind.DuplicatePages)
        {
            await StreamBodyAsync(context, head, pages, job.Options.NextAfterData ? next : null).ConfigureAwait(false);
            return;
        }

        List<byte[]> held = [.. pages];
        byte[] body = Assemble(head, held, job.Options.NextAfterData ? next : null);
        await WriteFaultyBodyAsync(context, fault, body, head.Length + (held.Count > 0 ? held[0].Length : 0)).ConfigureAwait(false);
    }

    /// <summary>The body up to and including <c>"data":[</c>; <c>next</c> goes here unless it is written after the data.</summary>
    private static byte[] Head(FakeJob job, string status, int visible, string? next)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{{\"success\":true,\"status\":\"{status}\",\"completed\":{visible},\"total\":{job.PageCount},");
        text.Append(CultureInfo.InvariantCulture, $"\"creditsUsed\":{job.Options.CreditsUsed ?? visible},\"expiresAt\":\"2026-11-29T10:00:00.000Z\",");
        if (next is not null && !job.Options.NextAfterData)
        {
            text.Append("\"next\":").Append(JsonSerializer.Serialize(next)).Append(',');
        }

        text.Append("\"data\":[");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static byte[] Tail(string? nextAfterData) =>
        nextAfterData is null ? Close : Encoding.UTF8.GetBytes($"],\"next\":{JsonSerializer.Serialize(nextAfterData)}}}");

    /// <summary>Writes and flushes page by page, so a client can see each page before the body ends.</summary>
    private static async Task StreamBodyAsync(HttpContext context, byte[] head, IEnumerable<byte[]> pages, string? nextAfterData)
    {
        Stream body = context.Response.Body;
        CancellationToken aborted = context.RequestAborted;
        await body.WriteAsync(head, aborted).ConfigureAwait(false);
        bool first = true;
        foreach (byte[] page in pages)
        {
            if (!first)
            {
                await body.WriteAsync(Comma, aborted).ConfigureAwait(false);
            }

            first = false;
            await body.WriteAsync(page, aborted).ConfigureAwait(false);
            await body.FlushAsync(aborted).ConfigureAwait(false);
        }

        await body.WriteAsync(Tail(nextAfterData), aborted).ConfigureAwait(false);
    }

    private static byte[] Assemble(byte[] head, List<byte[]> pages, string? nextAfterData)
    {
        using var buffer = new MemoryStream();
        buffer.Write(head);
        for (int i = 0; i < pages.Count; i++)
        {
            if (i > 0)
            {
                buffer.Write(Comma);
            }

            buffer.Write(pages[i]);
        }

        buffer.Write(Tail(nextAfterData));
        return buffer.ToArray();
    }

    private static async Task WriteFaultyBodyAsync(HttpContext context, FakeFault fault, byte[] body, int endOfFirstPage)
    {
        Stream output = context.Response.Body;
        CancellationToken aborted = context.RequestAborted;
        switch (fault.Kind)
        {
            case FakeFaultKind.DropAfterBytes:
                await output.WriteAsync(body.AsMemory(0, (int)Math.Min(fault.Bytes, body.Length)), aborted).ConfigureAwait(false);
                await output.FlushAsync(aborted).ConfigureAwait(false);
                context.Abort();
                return;

            case FakeFaultKind.StallAfterBytes:
                int before = (int)Math.Min(fault.Bytes < 0 ? endOfFirstPage : fault.Bytes, body.Length);
                await output.WriteAsync(body.AsMemory(0, before), aborted).ConfigureAwait(false);
                await output.FlushAsync(aborted).ConfigureAwait(false);
                await Task.Delay(fault.Delay, aborted).ConfigureAwait(false);
                await output.WriteAsync(body.AsMemory(before), aborted).ConfigureAwait(false);
                return;

            case FakeFaultKind.Trickle:
                for (int offset = 0; offset < body.Length; offset += (int)fault.Bytes)
                {
                    await output.WriteAsync(body.AsMemory(offset, (int)Math.Min(fault.Bytes, body.Length - offset)), aborted).ConfigureAwait(false);
                    await output.FlushAsync(aborted).ConfigureAwait(false);
                    await Task.Delay(fault.Delay, aborted).ConfigureAwait(false);
                }

                return;

            case FakeFaultKind.MalformedJson:
                // The first page intact, then a broken literal: a complete HTTP response whose JSON is not.
                await output.WriteAsync(body.AsMemory(0, endOfFirstPage), aborted).ConfigureAwait(false);
                await output.WriteAsync("{\"markdown\": tru}]}"u8.ToArray(), aborted).ConfigureAwait(false);
                return;
        }
    }
}
