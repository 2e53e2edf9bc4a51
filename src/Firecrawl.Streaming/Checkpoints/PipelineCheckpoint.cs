using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Firecrawl.Streaming.Pipeline;

namespace Firecrawl.Streaming.Checkpoints;

/// <summary>
/// What a checkpoint says: which job, the resume token of the last page every sink has made durable (none when the job
/// was started and nothing delivered yet), and which sinks (by <see cref="IPageSink.Name"/>) hold every page up to it.
/// <see cref="ICheckpointStore"/> keeps it as the opaque string <see cref="Format"/> makes.
/// </summary>
/// <remarks>
/// <para>The string is a small versioned JSON object, e.g.
/// <c>{"v":1,"kind":"batch","jobId":"…","resumeAfter":"fc2.…","sinks":["jsonl:pages.jsonl"]}</c>. <see cref="Parse"/>
/// also reads a plain resume token, as stores written before sinks were recorded hold: its sinks are unknown
/// (<see cref="SinkNames"/> is null) and every sink is taken to be covered.</para>
/// <para>Resuming with a sink the checkpoint does not name is refused by
/// <see cref="JobClientPipelineExtensions.StreamJobToSinksAsync"/>: that sink lacks the pages before the checkpoint,
/// and the stream would start after them. Resuming with fewer sinks is fine; the next checkpoint names only those.</para>
/// </remarks>
public sealed class PipelineCheckpoint
{
    private const int FormatVersion = 1;

    /// <summary>Creates a checkpoint.</summary>
    /// <param name="kind">The kind of job.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="resumeAfter">The resume token of the last page every sink holds (a <see cref="ScrapedPage.ResumeToken"/> of
    /// this job), or null when none is delivered yet.</param>
    /// <param name="sinkNames">The sinks that hold every page up to <paramref name="resumeAfter"/>; null when unknown.</param>
    /// <exception cref="ArgumentException">The job id is empty, or the token is not one of this job's.</exception>
    public PipelineCheckpoint(JobKind kind, string jobId, string? resumeAfter, IEnumerable<string>? sinkNames)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        if (resumeAfter is not null
            && (!ResumeToken.TryParse(resumeAfter, out JobKind tokenKind, out string tokenJob, out _, out _)
                || tokenKind != kind || !string.Equals(tokenJob, jobId, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"The resume token is not a page token of {ResumeToken.KindName(kind)} {jobId}.", nameof(resumeAfter));
        }

        Kind = kind;
        JobId = jobId;
        ResumeAfter = resumeAfter;
        SinkNames = sinkNames?.Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Gets the kind of job.</summary>
    public JobKind Kind { get; }

    /// <summary>Gets the job id.</summary>
    public string JobId { get; }

    /// <summary>
    /// Gets the resume token of the last page every sink holds (pass it to <see cref="JobStreamOptions.ResumeAfter"/>), or
    /// null when the job was started and no page is delivered yet: the stream starts at the first page.
    /// </summary>
    public string? ResumeAfter { get; }

    /// <summary>
    /// Gets the position in the job of the page <see cref="ResumeAfter"/> names (<see cref="ScrapedPage.Position"/>), or null
    /// when no page is delivered yet: later checkpoints of a job have greater positions, so a store can refuse to go back.
    /// </summary>
    public long? ResumeAfterPosition =>
        ResumeAfter is not null && ResumeToken.TryParse(ResumeAfter, out _, out _, out long position, out _) ? position : null;

    /// <summary>Gets the names of the sinks that hold every page up to <see cref="ResumeAfter"/>, or null when unknown.</summary>
    public IReadOnlyList<string>? SinkNames { get; }

    /// <summary>Reads a string a store holds: one <see cref="Format"/> wrote, or a plain resume token.</summary>
    /// <param name="value">The stored string.</param>
    /// <returns>The checkpoint.</returns>
    /// <exception cref="InvalidDataException">The string is neither.</exception>
    public static PipelineCheckpoint Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryParse(value, out PipelineCheckpoint? checkpoint)
            ? checkpoint
            : throw new InvalidDataException("The checkpoint was not written by this library: it is neither a checkpoint nor a resume token.");
    }

    /// <summary>Reads a string a store holds: one <see cref="Format"/> wrote, or a plain resume token.</summary>
    /// <param name="value">The stored string.</param>
    /// <param name="checkpoint">The checkpoint, when the string is one.</param>
    /// <returns>Whether the string is a checkpoint.</returns>
    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out PipelineCheckpoint? checkpoint)
    {
        checkpoint = null;
        if (value is null)
        {
            return false;
        }

        if (!value.StartsWith('{'))
        {
            // A plain resume token: what stores held before checkpoints recorded their sinks.
            if (!ResumeToken.TryParse(value, out JobKind kind, out string jobId, out _, out _))
            {
                return false;
            }

            checkpoint = new PipelineCheckpoint(kind, jobId, value, sinkNames: null);
            return true;
        }

        try
        {
            checkpoint = ParseObject(value);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            checkpoint = null;
        }

        return checkpoint is not null;
    }

    /// <summary>Gets whether the sink named <paramref name="sinkName"/> holds every page up to the checkpoint (always, when the sinks are unknown).</summary>
    /// <param name="sinkName">The sink's <see cref="IPageSink.Name"/>.</param>
    /// <returns>Whether the sink is covered.</returns>
    public bool Covers(string sinkName) => SinkNames is null || SinkNames.Contains(sinkName, StringComparer.Ordinal);

    /// <summary>Writes the checkpoint as the string an <see cref="ICheckpointStore"/> keeps.</summary>
    /// <returns>The string.</returns>
    public string Format()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", FormatVersion);
            writer.WriteString("kind", ResumeToken.KindName(Kind));
            writer.WriteString("jobId", JobId);
            if (ResumeAfter is not null)
            {
                writer.WriteString("resumeAfter", ResumeAfter);
            }

            if (SinkNames is not null)
            {
                writer.WriteStartArray("sinks");
                foreach (string name in SinkNames)
                {
                    writer.WriteStringValue(name);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <inheritdoc/>
    public override string ToString() => Format();

    private static PipelineCheckpoint? ParseObject(string value)
    {
        using JsonDocument document = JsonDocument.Parse(value);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("v", out JsonElement version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != FormatVersion
            || !root.TryGetProperty("kind", out JsonElement kindName) || !root.TryGetProperty("jobId", out JsonElement jobId)
            || jobId.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        JobKind kind = kindName.GetString() switch
        {
            "batch" => JobKind.BatchScrape,
            "crawl" => JobKind.Crawl,
            _ => throw new FormatException("Unknown kind of job."),
        };
        string? resumeAfter = root.TryGetProperty("resumeAfter", out JsonElement token) ? token.GetString() : null;
        List<string>? sinks = null;
        if (root.TryGetProperty("sinks", out JsonElement names))
        {
            sinks = [.. names.EnumerateArray().Select(name => name.GetString() ?? throw new FormatException("A sink name is null."))];
        }

        return new PipelineCheckpoint(kind, jobId.GetString()!, resumeAfter, sinks);
    }
}
