using System.Text;
using System.Text.Json;

namespace Firecrawl.Streaming.Webhooks.Events;

/// <summary>A delivery parsed but not yet numbered: its fields, and each page's bytes with its identity.</summary>
internal sealed record ParsedDelivery(
    string Type,
    WebhookEventType EventType,
    JobKind Kind,
    string JobId,
    string? WebhookId,
    bool Success,
    string? Error,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<ReadOnlyMemory<byte>> PageJson,
    IReadOnlyList<string> PageKeys)
{
    /// <summary>The event with its pages parsed at their positions among the job's pushed pages.</summary>
    public WebhookEvent ToEvent(long sequence, long firstPosition)
    {
        var pages = new ScrapedPage[PageJson.Count];
        for (int i = 0; i < pages.Length; i++)
        {
            pages[i] = PageParser.Parse(PageJson[i].Span, JobId, firstPosition + i, Kind);
        }

        return new WebhookEvent(Type, EventType, Kind, JobId, WebhookId, Success, Error, Metadata, pages, sequence);
    }
}

/// <summary>A body that is not JSON, or not a webhook payload the receiver knows: answered with 400.</summary>
internal sealed class WebhookPayloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Reads a webhook body with <see cref="Utf8JsonReader"/>: the envelope's fields, and each <c>data</c> item's bytes, which
/// <see cref="PageParser"/> (the stream's own page scanner) then reads as a page.
/// </summary>
internal static class WebhookEventParser
{
    private static readonly IReadOnlyDictionary<string, string> s_noMetadata = new Dictionary<string, string>();

    public static ParsedDelivery Parse(ReadOnlyMemory<byte> body)
    {
        try
        {
            return ParseCore(body);
        }
        catch (JsonException e)
        {
            throw new WebhookPayloadException($"The body is not valid JSON (at byte {e.BytePositionInLine}).", e);
        }
        catch (JobStreamException e)
        {
            // Not e.Message: some parser messages quote the bytes, and a body never reaches a log.
            throw new WebhookPayloadException($"A page in data is malformed ({e.ErrorCode} at byte {e.ByteOffset}).", e);
        }
    }

    private static ParsedDelivery ParseCore(ReadOnlyMemory<byte> body)
    {
        var reader = new Utf8JsonReader(body.Span, new JsonReaderOptions { MaxDepth = PageParser.MaxDepth });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new WebhookPayloadException("The body is not a JSON object.");
        }

        string? type = null, id = null, webhookId = null, error = null;
        bool success = true;
        Dictionary<string, string>? metadata = null;
        List<ReadOnlyMemory<byte>>? pages = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            switch (name)
            {
                case "type":
                    type = StringValue(ref reader, name);
                    break;
                case "id":
                    id = StringValue(ref reader, name);
                    break;
                case "webhookId":
                    webhookId = reader.TokenType == JsonTokenType.Null ? null : StringValue(ref reader, name);
                    break;
                case "success":
                    success = reader.TokenType switch
                    {
                        JsonTokenType.True => true,
                        JsonTokenType.False => false,
                        _ => throw new WebhookPayloadException("success is not a boolean."),
                    };
                    break;
                case "error":
                    error = reader.TokenType switch
                    {
                        JsonTokenType.String => reader.GetString(),
                        JsonTokenType.Null => null,
                        _ => RawText(ref reader, body),
                    };
                    break;
                case "metadata":
                    metadata = ReadMetadata(ref reader, body);
                    break;
                case "data":
                    pages = ReadData(ref reader, body);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            throw new WebhookPayloadException("The body holds more than one JSON object.");
        }

        (JobKind kind, WebhookEventType eventType) = ParseType(type);
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new WebhookPayloadException("The payload names no job (id).");
        }

        pages ??= [];
        if (eventType == WebhookEventType.Page && pages.Count == 0)
        {
            throw new WebhookPayloadException("A page event carries no page in data.");
        }

        string[] keys = [.. pages.Select(p => PageParser.Parse(p.Span, id, 0, kind).Key)];
        return new ParsedDelivery(type!, eventType, kind, id, webhookId, success, error, metadata ?? s_noMetadata, pages, keys);
    }

    private static (JobKind, WebhookEventType) ParseType(string? type)
    {
        int dot = type?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (dot < 0)
        {
            throw new WebhookPayloadException("The payload has no type such as batch_scrape.page.");
        }

        JobKind? kind = type![..dot] switch
        {
            "batch_scrape" => JobKind.BatchScrape,
            "crawl" => JobKind.Crawl,
            _ => null,
        };
        WebhookEventType? eventType = type[(dot + 1)..] switch
        {
            "started" => WebhookEventType.Started,
            "page" => WebhookEventType.Page,
            "completed" => WebhookEventType.Completed,
            "failed" => WebhookEventType.Failed,
            "cancelled" => WebhookEventType.Cancelled,
            _ => null,
        };
        return kind is { } k && eventType is { } e ? (k, e) : throw new WebhookPayloadException($"The type \"{type}\" is not a batch scrape or crawl event.");
    }

    private static string StringValue(ref Utf8JsonReader reader, string name) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new WebhookPayloadException($"{name} is not a string.");

    private static string RawText(ref Utf8JsonReader reader, ReadOnlyMemory<byte> body)
    {
        long start = reader.TokenStartIndex;
        reader.Skip();
        return Encoding.UTF8.GetString(body.Span[(int)start..(int)reader.BytesConsumed]);
    }

    private static Dictionary<string, string>? ReadMetadata(ref Utf8JsonReader reader, ReadOnlyMemory<byte> body)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new WebhookPayloadException("metadata is not an object.");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            reader.Read();

            // The server accepts string values only; anything else is kept as its JSON text rather than refused.
            metadata[key] = reader.TokenType == JsonTokenType.String ? reader.GetString()! : RawText(ref reader, body);
        }

        return metadata;
    }

    private static List<ReadOnlyMemory<byte>> ReadData(ref Utf8JsonReader reader, ReadOnlyMemory<byte> body)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return [];
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new WebhookPayloadException("data is not an array.");
        }

        var pages = new List<ReadOnlyMemory<byte>>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new WebhookPayloadException("An item of data is not an object.");
            }

            int start = (int)reader.TokenStartIndex;
            reader.Skip();
            pages.Add(body[start..(int)reader.BytesConsumed]);
        }

        return pages;
    }
}
