using System.Text.Json;

namespace Firecrawl.Streaming.Checkpoints;

/// <summary>
/// Keeps the checkpoint in a small JSON file, replaced atomically: the new content goes to a temporary file
/// beside it, is flushed to disk, and is then moved over the old file, so a crash leaves the old token or the
/// new one, never a torn file.
/// </summary>
/// <remarks>
/// The file looks like <c>{"version":1,"resumeAfter":"…","savedAt":"2026-01-01T00:00:00+00:00"}</c>, where
/// <c>resumeAfter</c> holds the stored value as a string: a <see cref="PipelineCheckpoint"/> as the pipeline saves it,
/// or a plain resume token as older versions did. One run at a time should use a given file.
/// </remarks>
public sealed class FileCheckpointStore : ICheckpointStore
{
    private const int FormatVersion = 1;
    private readonly TimeProvider _time;

    /// <summary>Creates a store over <paramref name="path"/>; the file and its directory are created on the first save.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="timeProvider">The clock for the <c>savedAt</c> stamp; null for the system clock.</param>
    public FileCheckpointStore(string path, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the full path of the checkpoint file.</summary>
    public string Path { get; }

    // A fixed name rather than a random one: a crash between write and move leaves one stale file that the next
    // save overwrites, instead of a litter of them.
    private string TemporaryPath => Path + ".tmp";

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">The file exists but is not a checkpoint this store wrote.</exception>
    public async ValueTask<string?> LoadAsync(CancellationToken cancellationToken = default)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(Path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return Parse(bytes, Path);
    }

    /// <inheritdoc/>
    public async ValueTask SaveAsync(string resumeToken, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resumeToken);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        byte[] content = Format(resumeToken, _time.GetUtcNow());
        var stream = new FileStream(TemporaryPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);

            // The content must be on disk before the move makes it the checkpoint; otherwise a power cut could
            // leave a file that names the new token but holds nothing.
            stream.Flush(flushToDisk: true);
        }

        cancellationToken.ThrowIfCancellationRequested();
        File.Move(TemporaryPath, Path, overwrite: true);
    }

    private static byte[] Format(string resumeToken, DateTimeOffset savedAt)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", FormatVersion);
            writer.WriteString("resumeAfter", resumeToken);
            writer.WriteString("savedAt", savedAt);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string Parse(byte[] bytes, string path)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(bytes);
            JsonElement root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("version", out JsonElement version) && version.ValueKind == JsonValueKind.Number && version.GetInt32() == FormatVersion
                && root.TryGetProperty("resumeAfter", out JsonElement token) && token.ValueKind == JsonValueKind.String
                && token.GetString() is { Length: > 0 } value)
            {
                return value;
            }
        }
        catch (JsonException)
        {
            // Reported below with the path, which the parser's message lacks.
        }

        throw new InvalidDataException(
            $"The checkpoint file {path} is not one this library wrote (expected {{\"version\":{FormatVersion},\"resumeAfter\":\"…\"}}). Delete it to start from the first page.");
    }
}
