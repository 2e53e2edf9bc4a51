using Firecrawl.Streaming.Pipeline;
using System.IO.Compression;
using Firecrawl.Streaming.Sinks;

namespace Firecrawl.Streaming.Tests.Sinks.JsonLines;

/// <summary>Reads a JSON Lines file back, as any reader would: through one GZipStream for a .gz file.</summary>
public static class JsonLinesFile
{
    public static List<byte[]> ReadLines(string path)
    {
        using FileStream file = File.OpenRead(path);
        using Stream content = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var buffer = new MemoryStream();
        content.CopyTo(buffer);
        byte[] bytes = buffer.ToArray();
        Assert.True(bytes.Length == 0 || bytes[^1] == (byte)'\n', "The file does not end with a line break.");
        var lines = new List<byte[]>();
        int start = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lines.Add(bytes[start..i]);
                start = i + 1;
            }
        }

        return lines;
    }

    public static IReadOnlyList<string> ReadKeys(string path) =>
        File.Exists(path) ? ReadLines(path).Select(line => PageParser.Parse(line).Key).ToList() : [];
}

public sealed class JsonLinesContractTests : PageSinkContractTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    private string FilePath => _directory.Combine("out/pages.jsonl");

    protected override ValueTask<IPageSink> CreateSinkAsync() => ValueTask.FromResult<IPageSink>(new JsonLinesSink(FilePath));

    protected override Task<IReadOnlyList<string>> ReadBackKeysAsync() => Task.FromResult(JsonLinesFile.ReadKeys(FilePath));

    public void Dispose() => _directory.Dispose();
}

public sealed class JsonLinesGzipContractTests : PageSinkContractTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    private string FilePath => _directory.Combine("pages.jsonl.gz");

    protected override ValueTask<IPageSink> CreateSinkAsync() =>
        ValueTask.FromResult<IPageSink>(new JsonLinesSink(FilePath, new JsonLinesSinkOptions { CompressionLevel = CompressionLevel.Fastest }));

    protected override Task<IReadOnlyList<string>> ReadBackKeysAsync() => Task.FromResult(JsonLinesFile.ReadKeys(FilePath));

    public void Dispose() => _directory.Dispose();
}
