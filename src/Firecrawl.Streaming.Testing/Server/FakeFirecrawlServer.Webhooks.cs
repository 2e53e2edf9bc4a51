using System.Text.Json;

namespace Firecrawl.Streaming.Testing;

/// <summary>Pushing webhook events: on demand for any job, and on their own for jobs started with a <c>webhook</c>.</summary>
public sealed partial class FakeFirecrawlServer
{
    private readonly HttpClient _webhookClient = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>
    /// Pushes the job's events to <paramref name="target"/> as the real server does: <c>started</c>, one <c>page</c> event
    /// per page, <c>completed</c>; each signed with <see cref="FakeWebhookOptions.Secret"/>, retried up to
    /// <see cref="FakeWebhookOptions.MaxAttempts"/> times on anything but 2xx, then given up.
    /// </summary>
    /// <param name="job">The job.</param>
    /// <param name="target">The receiver's URL.</param>
    /// <param name="options">What to send and how; null for the defaults.</param>
    /// <param name="cancellationToken">Stops pushing.</param>
    /// <returns>Every attempt, in the order they were made.</returns>
    public Task<IReadOnlyList<FakeWebhookDelivery>> PushWebhooksAsync(FakeJob job, Uri target, FakeWebhookOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(target);
        return new FakeWebhookPusher(_webhookClient, job, target, options ?? new FakeWebhookOptions()).PushAsync(cancellationToken);
    }

    /// <summary>
    /// Starts pushing a started job's events when its start body named a <c>webhook</c>: its <c>url</c>, <c>headers</c>,
    /// <c>metadata</c> and <c>events</c> replace those of <see cref="FakeServerOptions.Webhooks"/>.
    /// </summary>
    private void PushIfConfigured(FakeJob job, JsonElement body)
    {
        if (_options.Webhooks is not { } configured || !body.TryGetProperty("webhook", out JsonElement webhook))
        {
            return;
        }

        string? url = webhook.ValueKind == JsonValueKind.String ? webhook.GetString() : webhook.TryGetProperty("url", out JsonElement u) ? u.GetString() : null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? target))
        {
            return;
        }

        FakeWebhookOptions options = configured();
        if (webhook.ValueKind == JsonValueKind.Object)
        {
            if (webhook.TryGetProperty("headers", out JsonElement headers) && headers.ValueKind == JsonValueKind.Object)
            {
                options.Headers = headers.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString());
            }

            if (webhook.TryGetProperty("metadata", out JsonElement metadata) && metadata.ValueKind == JsonValueKind.Object)
            {
                options.Metadata = metadata.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString());
            }

            if (webhook.TryGetProperty("events", out JsonElement events) && events.ValueKind == JsonValueKind.Array)
            {
                options.Events = [.. events.EnumerateArray().Select(e => e.GetString() ?? "")];
            }
        }

        job.WebhookPush = Task.Run(() => PushWebhooksAsync(job, target, options));
    }
}
