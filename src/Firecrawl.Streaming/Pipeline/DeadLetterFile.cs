using System.Text.Json;

namespace Firecrawl.Streaming.Pipeline;

/// <summary>
/// The dead-letter file of a run: JSON Lines, one line per page a sink set aside, shared by every sink whose options name
/// the same path, appended to across runs.
/// </summary>
/// <remarks>
/// A line: <c>{"deadLetteredAt":"…","sink":"…","jobId":"…","position":12,"key":"…","error":{"type":"…","message":"…"},"page":{…}}</c>,
/// the page being its original JSON (line breaks between tokens written as spaces). The file is created on the first
/// page set aside, and made durable by the flush of every checkpoint that passes such a page. A page replayed after a crash
/// may be set aside again, in a second line; its key and sink tell the two apart from other pages.
/// </remarks>
internal sealed class DeadLetterFile : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeProvider _time;
    private FileStream? _file;
    private bool _unflushed;

    public DeadLetterFile(string path, TimeProvider time)
    {
        Path = System.IO.Path.GetFullPath(path);
        _time = time;
    }

    public string Path { get; }

    public async ValueTask AppendAsync(ScrapedPage page, string sinkName, Exception error, CancellationToken cancellationToken)
    {
        byte[] line = Format(page, sinkName, error, _time.GetUtcNow());
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            FileStream file = _file ?? await OpenAsync(cancellationToken).ConfigureAwait(false);
            await file.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            _unflushed = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Makes every line appended so far durable (<c>fsync</c>).</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_file is not null && _unflushed)
            {
                _file.Flush(flushToDisk: true);
                _unflushed = false;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_file is not null)
            {
                await _file.DisposeAsync().ConfigureAwait(false);
                _file = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static byte[] Format(ScrapedPage page, string sinkName, Exception error, DateTimeOffset now)
    {
        // Line breaks between tokens become spaces, so the page stays on its line (strings hold none: they escape them).
        byte[] json = page.Utf8Json.ToArray();
        json.AsSpan().Replace((byte)'\n', (byte)' ');
        json.AsSpan().Replace((byte)'\r', (byte)' ');
        using var buffer = new MemoryStream(json.Length + 512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("deadLetteredAt", now);
            writer.WriteString("sink", sinkName);
            writer.WriteString("jobId", page.JobId);
            writer.WriteNumber("position", page.Position);
            writer.WriteString("key", page.Key);
            writer.WriteStartObject("error");
            writer.WriteString("type", error.GetType().FullName);
            writer.WriteString("message", error.Message);
            writer.WriteEndObject();

            // Not re-validated: the page was parsed already, and may nest deeper than the writer's default limit.
            writer.WritePropertyName("page");
            writer.WriteRawValue(json, skipInputValidation: true);
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private async ValueTask<FileStream> OpenAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var file = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous);
        try
        {
            // A line a crash cut short is ended first, so the next one starts on a line of its own.
            if (file.Length > 0)
            {
                byte[] last = new byte[1];
                file.Position = file.Length - 1;
                await file.ReadExactlyAsync(last, cancellationToken).ConfigureAwait(false);
                if (last[0] != (byte)'\n')
                {
                    await file.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
                }
            }

            file.Position = file.Length;
            _file = file;
            return file;
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
