using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Firecrawl.Streaming.Webhooks.Hosting;

/// <summary>
/// The HTTP side of a receiver: bounded concurrency, bounded bodies (413 from <c>Content-Length</c>, or as soon as more
/// arrives, without reading the rest), the raw bytes and the signature header handed over as received, and a status code
/// per <see cref="WebhookReceipt"/>. Answers carry no body of the request and no secret.
/// </summary>
internal sealed class WebhookEndpoint(FirecrawlWebhookReceiver receiver, FirecrawlWebhookReceiverOptions options)
{
    private readonly int _maxConcurrent = options.MaxConcurrentRequests;
    private int _inProgress;
    private readonly int _maxBody = options.MaxBodyBytes;

    public async Task HandleAsync(HttpContext context)
    {
        if (Interlocked.Increment(ref _inProgress) > _maxConcurrent)
        {
            Interlocked.Decrement(ref _inProgress);
            await AnswerAsync(context, StatusCodes.Status503ServiceUnavailable).ConfigureAwait(false);
            return;
        }

        try
        {
            HttpRequest request = context.Request;
            if (request.ContentLength > _maxBody)
            {
                await AnswerAsync(context, StatusCodes.Status413PayloadTooLarge).ConfigureAwait(false);
                return;
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                // The limit is this endpoint's, whatever the server's default.
                limit.MaxRequestBodySize = _maxBody + 1L;
            }

            byte[]? body = await ReadBodyAsync(request, context.RequestAborted).ConfigureAwait(false);
            if (body is null)
            {
                await AnswerAsync(context, StatusCodes.Status413PayloadTooLarge).ConfigureAwait(false);
                return;
            }

            string? signature = request.Headers.TryGetValue(WebhookSignature.HeaderName, out var values) ? values.ToString() : null;

            // Not cancelled by the client going away: a delivery being journaled is finished either way.
            WebhookReceipt receipt = await receiver.ReceiveAsync(body, signature, CancellationToken.None).ConfigureAwait(false);
            await AnswerAsync(context, StatusFor(receipt)).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inProgress);
        }
    }

    internal static int StatusFor(WebhookReceipt receipt) => receipt switch
    {
        WebhookReceipt.Accepted or WebhookReceipt.Duplicate => StatusCodes.Status200OK,
        WebhookReceipt.Unauthorized => StatusCodes.Status401Unauthorized,
        WebhookReceipt.Malformed => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status503ServiceUnavailable,
    };

    /// <summary>Reads the body into one array, or returns null as soon as it passes the limit.</summary>
    private async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is long length and > 0 ? (int)length : 16 * 1024);
        Stream stream = request.Body;
        while (true)
        {
            Memory<byte> space = buffer.GetMemory(16 * 1024);
            int read;
            try
            {
                read = await stream.ReadAsync(space, cancellationToken).ConfigureAwait(false);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return null;
            }

            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > _maxBody)
            {
                return null;
            }
        }
    }

    private static Task AnswerAsync(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "60";
        }

        return Task.CompletedTask;
    }
}
