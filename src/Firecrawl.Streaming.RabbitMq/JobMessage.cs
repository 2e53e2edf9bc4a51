using System.Buffers;
using System.Text.Json;

namespace Firecrawl.Streaming.RabbitMq;

/// <summary>
/// A unit of work on the job queue: stream one batch-scrape or crawl job into the sinks of a profile. Its body is a
/// small JSON object, e.g. <c>{"v":1,"kind":"batch","jobId":"…","profile":"default"}</c>.
/// </summary>
/// <remarks>
/// <see cref="MessageId"/> is derived from the content, so enqueueing the same job twice publishes two messages with
/// the same id: the worker that takes the second finds the job done (or leased) in the shared store and acknowledges
/// it without streaming anything.
/// </remarks>
public sealed class JobMessage
{
    /// <summary>The profile of jobs enqueued without one.</summary>
    public const string DefaultProfile = "default";

    private const int FormatVersion = 1;

    /// <summary>Creates a job message.</summary>
    /// <param name="kind">Whether <paramref name="jobId"/> is a batch scrape's or a crawl's.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="profile">Which set of sinks the job goes to (workers are started per profile); null for <see cref="DefaultProfile"/>.</param>
    /// <exception cref="ArgumentException">The job id or the profile is empty or has control characters.</exception>
    public JobMessage(JobKind kind, string jobId, string? profile = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        profile ??= DefaultProfile;
        ArgumentException.ThrowIfNullOrWhiteSpace(profile);
        if (jobId.Any(char.IsControl) || profile.Any(char.IsControl))
        {
            throw new ArgumentException("A job id or profile has control characters.", nameof(jobId));
        }

        Kind = kind;
        JobId = jobId;
        Profile = profile;
    }

    /// <summary>Gets the kind of job.</summary>
    public JobKind Kind { get; }

    /// <summary>Gets the job id.</summary>
    public string JobId { get; }

    /// <summary>Gets the sinks profile the job is streamed into.</summary>
    public string Profile { get; }

    /// <summary>Gets the AMQP message id: the same for every message of the same job and profile.</summary>
    public string MessageId => $"{KindName(Kind)}:{JobId}:{Profile}";

    /// <summary>Writes the message body.</summary>
    /// <returns>The UTF-8 JSON body.</returns>
    public byte[] ToUtf8Json()
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", FormatVersion);
            writer.WriteString("kind", KindName(Kind));
            writer.WriteString("jobId", JobId);
            writer.WriteString("profile", Profile);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a message body.</summary>
    /// <param name="utf8Json">The body.</param>
    /// <returns>The message.</returns>
    /// <exception cref="InvalidDataException">The body is not a job message (a poison message: it goes to the dead-letter queue).</exception>
    public static JobMessage Parse(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("v", out JsonElement version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != FormatVersion)
            {
                throw new InvalidDataException($"The message is not a version {FormatVersion} job message.");
            }

            JobKind kind = String(root, "kind") switch
            {
                "batch" => JobKind.BatchScrape,
                "crawl" => JobKind.Crawl,
                string other => throw new InvalidDataException($"The job message has an unknown kind \"{other}\"."),
                null => throw new InvalidDataException("The job message has no kind."),
            };
            string jobId = String(root, "jobId") ?? throw new InvalidDataException("The job message has no jobId.");
            return new JobMessage(kind, jobId, String(root, "profile"));
        }
        catch (Exception e) when (e is JsonException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"The message is not a job message: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => MessageId;

    internal static string KindName(JobKind kind) => kind == JobKind.Crawl ? "crawl" : "batch";

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
