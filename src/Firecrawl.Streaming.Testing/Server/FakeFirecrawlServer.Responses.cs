using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Firecrawl.Streaming.Testing;

/// <summary>Writing status bodies and error bodies.</summary>
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

        await context.Response.WriteAsync(JsonSerializer.Serialize(new ErrorAnswer(false, error), FakeServerJsonContext.Default.ErrorAnswer), context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteJsonAsync<T>(HttpContext context, int status, T body, JsonTypeInfo<T> type)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body, type), context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteErrorsAsync(HttpContext context, FakeJob job)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new ErrorsAnswer(
            job.Options.Errors.Select((e, i) => new ErrorEntry($"err-{i}", "2026-11-28T10:00:00.000Z", e.Url, e.Code, e.Error)),
            job.Options.RobotsBlocked);
        await context.Response.WriteAsync(JsonSerializer.Serialize(body, FakeServerJsonContext.Default.ErrorsAnswer), context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteStatusAsync(HttpContext context, FakeJob job, int skip, int? limit)
    {
        FakeFault? fault = job.Faults.Take(skip);
        if (fault?.Kind == FakeFaultKind.DelayBeforeListing)
        {
            await Task.Delay(fault.Delay, context.RequestAborted).ConfigureAwait(false);
            fault = null;
        }

        FakeJobView view = job.Observe(skip);
        if (fault is not null && await TryWriteReplacingFaultAsync(context, fault).ConfigureAwait(false))
        {
            return;
        }

        int start = fault?.Kind == FakeFaultKind.DuplicatePages ? Math.Max(0, skip - fault.Count) : skip;
        int pageLimit = Math.Clamp(limit ?? job.Options.PageLimit, 1, 1000);
        int count = job.ChunkLength(view, start, pageLimit);
        IEnumerable<byte[]> pages = Enumerable.Range(start, count).Select(position => job.GetPage(view.IndexAt(position)));
        int nextSkip = start + count;
        bool selfReferencing = fault?.Kind == FakeFaultKind.SelfReferencingNext;
        bool finished = view.Status != "scraping";
        bool hasNext = selfReferencing || !finished || nextSkip < view.Completed || job.Options.NextOnFinishedJob;
        string origin = fault?.Kind == FakeFaultKind.ForeignNext
            ? fault.Origin!.GetLeftPart(UriPartial.Authority)
            : $"{context.Request.Scheme}://{context.Request.Host}";
        string? next = hasNext
            ? $"{origin}{JobPath(job.Kind, job.Id)}?skip={(selfReferencing ? skip : nextSkip)}{(limit is null ? "" : $"&limit={limit}")}"
            : null;
        byte[] head = Head(job, view, next);

        context.Response.ContentType = "application/json; charset=utf-8";
        if (fault is null || fault.Kind is FakeFaultKind.ForeignNext or FakeFaultKind.DuplicatePages or FakeFaultKind.SelfReferencingNext)
        {
            await StreamBodyAsync(context, head, pages, job.Options.NextAfterData ? next : null, job.Options.BytesPerSecond).ConfigureAwait(false);
            return;
        }

        List<byte[]> held = [.. pages];
        if (fault.Kind == FakeFaultKind.InvalidUtf8 && held.Count > 0)
        {
            held[0] = CorruptUtf8(held[0]);
        }

        byte[] body = Assemble(head, held, job.Options.NextAfterData ? next : null);
        await WriteFaultyBodyAsync(context, fault, body, head.Length + (held.Count > 0 ? held[0].Length : 0)).ConfigureAwait(false);
    }

    /// <summary>The body up to and including <c>"data":[</c>; <c>next</c> goes here unless it is written after the data.</summary>
    private static byte[] Head(FakeJob job, FakeJobView view, string? next)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{{\"success\":true,\"status\":\"{view.Status}\",\"completed\":{view.Completed},\"total\":{job.PageCount},");
        text.Append(CultureInfo.InvariantCulture, $"\"creditsUsed\":{job.Options.CreditsUsed ?? view.Completed},\"expiresAt\":\"2026-11-29T10:00:00.000Z\",");
        if (next is not null && !job.Options.NextAfterData)
        {
            text.Append("\"next\":").Append(JsonSerializer.Serialize(next, FakeServerJsonContext.Default.String)).Append(',');
        }

        text.Append("\"data\":[");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static byte[] Tail(string? nextAfterData) =>
        nextAfterData is null ? Close : Encoding.UTF8.GetBytes($"],\"next\":{JsonSerializer.Serialize(nextAfterData, FakeServerJsonContext.Default.String)}}}");

    /// <summary>Writes and flushes page by page, so a client can see each page before the body ends.</summary>
    private static async Task StreamBodyAsync(HttpContext context, byte[] head, IEnumerable<byte[]> pages, string? nextAfterData, long? bytesPerSecond)
    {
        Stream body = bytesPerSecond is long rate ? new ThrottledStream(context.Response.Body, rate) : context.Response.Body;
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
}
