using System.Text;
using Microsoft.AspNetCore.Http;

namespace Firecrawl.Streaming.Testing;

/// <summary>Applying a status request's fault: answers that replace the chunk, and chunks sent wrong.</summary>
public sealed partial class FakeFirecrawlServer
{
    /// <summary>Writes the answer of a fault that replaces the chunk entirely.</summary>
    /// <returns>False when the fault acts on the chunk instead (the caller builds and sends it).</returns>
    private static async Task<bool> TryWriteReplacingFaultAsync(HttpContext context, FakeFault fault)
    {
        HttpResponse response = context.Response;
        switch (fault.Kind)
        {
            case FakeFaultKind.Status:
                await WriteErrorAsync(context, fault.StatusCode, fault.Error!, fault.RetryAfter).ConfigureAwait(false);
                return true;
            case FakeFaultKind.SuccessFalse:
                await WriteJsonAsync(context, 200, new FailedStatusAnswer(false, "failed", fault.Error), FakeServerJsonContext.Default.FailedStatusAnswer).ConfigureAwait(false);
                return true;
            case FakeFaultKind.Html:
                response.StatusCode = fault.StatusCode;
                response.ContentType = "text/html";
                await response.WriteAsync("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>", context.RequestAborted).ConfigureAwait(false);
                return true;
            case FakeFaultKind.Redirect:
                response.StatusCode = fault.StatusCode;
                response.Headers.Location = fault.Location!.AbsoluteUri;
                response.ContentLength = 0;
                return true;
            case FakeFaultKind.EmptyBody:
                response.StatusCode = 200;
                response.ContentType = "application/json; charset=utf-8";
                response.ContentLength = 0;
                return true;
            default:
                return false;
        }
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

            case FakeFaultKind.CutBody:
                // The length is promised up front, so the client can tell the body came up short. No Abort():
                // it would drop bytes not yet sent; ending the response short makes Kestrel send them, then
                // close the connection (it cannot be reused once the body falls short of its length).
                context.Response.ContentLength = body.Length;
                await output.WriteAsync(body.AsMemory(0, (int)Math.Clamp(fault.Bytes, 0, body.Length - 1)), aborted).ConfigureAwait(false);
                await output.FlushAsync(aborted).ConfigureAwait(false);
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

            case FakeFaultKind.InvalidUtf8:
                // The corruption is already in the body; it is sent whole.
                context.Response.ContentLength = body.Length;
                await output.WriteAsync(body, aborted).ConfigureAwait(false);
                return;

            default:
                throw new InvalidOperationException($"{fault.Kind} is not a body fault.");
        }
    }

    /// <summary>
    /// Overwrites three ASCII letters inside a string value (the markdown's, or else the first value long enough)
    /// with bytes that are not UTF-8. Letters are never part of an escape or of a multi-byte sequence, so the JSON
    /// structure is untouched.
    /// </summary>
    private static byte[] CorruptUtf8(byte[] page)
    {
        int target = -1;
        int fallback = -1;
        string? key = null;
        int i = 0;
        while (i < page.Length && target < 0)
        {
            if (page[i] != (byte)'"')
            {
                i++;
                continue;
            }

            int open = i++;
            int run = 0;
            int found = -1;
            while (i < page.Length && page[i] != (byte)'"')
            {
                if (page[i] == (byte)'\\')
                {
                    i += i + 1 < page.Length && page[i + 1] == (byte)'u' ? 6 : 2;
                    run = 0;
                    continue;
                }

                run = char.IsAsciiLetter((char)page[i]) ? run + 1 : 0;
                if (run == 3 && found < 0)
                {
                    found = i - 2;
                }

                i++;
            }

            int close = i++;
            int after = i;
            while (after < page.Length && page[after] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                after++;
            }

            if (after < page.Length && page[after] == (byte)':')
            {
                key = Encoding.UTF8.GetString(page, open + 1, Math.Max(0, close - open - 1));
            }
            else if (found >= 0)
            {
                target = key == "markdown" ? found : target;
                fallback = fallback < 0 ? found : fallback;
            }
        }

        int at = target >= 0 ? target : fallback;
        if (at < 0)
        {
            return page;
        }

        byte[] corrupt = (byte[])page.Clone();
        corrupt[at] = 0xFF;
        corrupt[at + 1] = 0xFE;
        corrupt[at + 2] = 0xE6;
        return corrupt;
    }
}
