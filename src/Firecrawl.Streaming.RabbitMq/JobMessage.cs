using System.Buffers;
using System.Text.Json;

namespace Firecrawl.Streaming.RabbitMq;

/// <summary>
/// A unit of work on the job queue: stream one batch-scrape or crawl job into the sinks of a profile. Its body is a
/// small JSON object, e.g. <c>{"v":1,"kind":"batch","jobId":"…","profile":"default"}</c>. A big job split across
/// workers is streamed as range messages (<c>"range":[0,10000]</c>, see <see cref="WithRange"/>) and ends with a
/// reconcile message (<c>"reconcile":true</c>, see <see cref="ToReconcile"/>).
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

    /// <summary>Gets the share of the job to stream, or null for the whole job.</summary>
    public JobRange? Range { get; private init; }

    /// <summary>Gets a value indicating whether this message asks to reconcile a split job: prove its ranges' coverage, or repair it.</summary>
    public bool IsReconcile { get; private init; }

    /// <summary>
    /// Gets the AMQP message id: the same for every message of the same job, profile and share (<c>batch:ID:PROFILE</c>,
    /// <c>batch:ID:PROFILE:0-10000</c>, <c>batch:ID:PROFILE:reconcile</c>).
    /// </summary>
    public string MessageId => Range is JobRange range
        ? $"{KindName(Kind)}:{JobId}:{Profile}:{range}"
        : IsReconcile ? $"{KindName(Kind)}:{JobId}:{Profile}:reconcile" : $"{KindName(Kind)}:{JobId}:{Profile}";

    /// <summary>The message that streams one range of this message's job.</summary>
    /// <param name="range">The range.</param>
    /// <returns>The range message.</returns>
    public JobMessage WithRange(JobRange range) => new(Kind, JobId, Profile) { Range = range };

    /// <summary>The message that reconciles this message's job once every range is done.</summary>
    /// <returns>The reconcile message.</returns>
    public JobMessage ToReconcile() => new(Kind, JobId, Profile) { IsReconcile = true };

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
            if (Range is JobRange range)
            {
                writer.WriteStartArray("range");
                writer.WriteNumberValue(range.Start);
                writer.WriteNumberValue(range.Stop);
                writer.WriteEndArray();
            }

            if (IsReconcile)
            {
                writer.WriteBoolean("reconcile", true);
            }

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
            var message = new JobMessage(kind, jobId, String(root, "profile"));
            if (root.TryGetProperty("range", out JsonElement range))
            {
                if (range.ValueKind != JsonValueKind.Array || range.GetArrayLength() != 2)
                {
                    throw new InvalidDataException("The job message's range is not [start, stop].");
                }

                message = message.WithRange(new JobRange(range[0].GetInt64(), range[1].GetInt64()));
            }

            if (root.TryGetProperty("reconcile", out JsonElement reconcile) && reconcile.ValueKind == JsonValueKind.True)
            {
                if (message.Range is not null)
                {
                    throw new InvalidDataException("A job message cannot both name a range and reconcile.");
                }

                message = message.ToReconcile();
            }

            return message;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or FormatException or InvalidOperationException)
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
