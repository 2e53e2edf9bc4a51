using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Firecrawl.Streaming.Testing;

/// <summary>Builds, signs and posts a job's webhook events, retrying each as the real server does.</summary>
internal sealed class FakeWebhookPusher(HttpClient http, FakeJob job, Uri target, FakeWebhookOptions options)
{
    private readonly ConcurrentQueue<FakeWebhookDelivery> _log = new();
    private readonly string _prefix = job.Kind == FakeJobKind.Crawl ? "crawl" : "batch_scrape";

    public async Task<IReadOnlyList<FakeWebhookDelivery>> PushAsync(CancellationToken cancellationToken)
    {
        if (options.SendStarted && Wanted("started"))
        {
            await DeliverAsync("started", -1, Guid.NewGuid().ToString(), success: true, data: null, error: null, cancellationToken).ConfigureAwait(false);
        }

        if (Wanted("page"))
        {
            var sends = new List<(int Index, bool NewId)>();
            foreach (int index in Order())
            {
                sends.Add((index, false));
                if (options.RepeatPages.Contains(index))
                {
                    sends.Add((index, false));
                }

                if (options.RepeatWithNewId.Contains(index))
                {
                    sends.Add((index, true));
                }
            }

            var ids = new ConcurrentDictionary<int, string>();
            await Parallel.ForEachAsync(
                sends,
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Concurrency), CancellationToken = cancellationToken },
                async (send, ct) =>
                {
                    string id = send.NewId ? Guid.NewGuid().ToString() : ids.GetOrAdd(send.Index, _ => Guid.NewGuid().ToString());
                    await DeliverAsync("page", send.Index, id, success: true, job.GetPage(send.Index), error: null, ct).ConfigureAwait(false);
                }).ConfigureAwait(false);
            foreach (string url in options.FailedUrls)
            {
                byte[] stub = JsonSerializer.SerializeToUtf8Bytes(new FailedPageStub(new FailedPageMetadata(url, 500)), FakeServerJsonContext.Default.FailedPageStub);
                await DeliverAsync("page", -1, Guid.NewGuid().ToString(), success: false, stub, "Scrape failed: the page timed out", cancellationToken).ConfigureAwait(false);
            }
        }

        if (options.SendCompleted && Wanted("completed"))
        {
            await DeliverAsync("completed", -1, Guid.NewGuid().ToString(), success: true, data: null, error: null, cancellationToken).ConfigureAwait(false);
        }

        return [.. _log];
    }

    /// <summary>The body of one event, as the real server builds it (without <c>metadata</c> when it is null).</summary>
    internal static byte[] Body(string type, string jobId, string webhookId, bool success, byte[]? data, string? error, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("success", success);
            writer.WriteString("type", type);
            writer.WriteString("id", jobId);
            writer.WriteString("webhookId", webhookId);
            writer.WriteStartArray("data");
            if (data is not null)
            {
                writer.WriteRawValue(data, skipInputValidation: true);
            }

            writer.WriteEndArray();
            if (error is not null)
            {
                writer.WriteString("error", error);
            }

            if (metadata is not null)
            {
                writer.WriteStartObject("metadata");
                foreach ((string key, string value) in metadata)
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The signature header's value: <c>sha256=</c> and the hex HMAC-SHA256 of the exact body.</summary>
    internal static string Sign(byte[] body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private bool Wanted(string name) =>
        options.Events is null || options.Events.Contains(name) || options.Events.Contains($"{_prefix}.{name}");

    private int[] Order()
    {
        int[] indexes = [.. Enumerable.Range(0, job.PageCount).Where(i => !options.SkipPages.Contains(i))];
        if (options.ShuffleSeed is int seed)
        {
            new Random(seed).Shuffle(indexes);
        }

        return indexes;
    }

    private async Task DeliverAsync(string name, int index, string webhookId, bool success, byte[]? data, string? error, CancellationToken cancellationToken)
    {
        string type = $"{_prefix}.{name}";
        byte[] body = Body(type, job.Id, webhookId, success, data, error, options.Metadata);
        for (int attempt = 1; attempt <= options.MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(options.RetryDelay, cancellationToken).ConfigureAwait(false);
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            if (options.Secret is { } secret)
            {
                request.Headers.TryAddWithoutValidation("X-Firecrawl-Signature", Sign(body, secret));
            }

            foreach ((string header, string value) in options.Headers)
            {
                request.Headers.TryAddWithoutValidation(header, value);
            }

            int status;
            try
            {
                using HttpResponseMessage response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                status = (int)response.StatusCode;
            }
            catch (HttpRequestException)
            {
                status = 0;
            }

            _log.Enqueue(new FakeWebhookDelivery(type, webhookId, index, attempt, status));
            if (status is >= 200 and < 300)
            {
                return;
            }
        }
    }
}
