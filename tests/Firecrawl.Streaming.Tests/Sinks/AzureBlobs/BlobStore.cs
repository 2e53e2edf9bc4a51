using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Firecrawl.Streaming.Sinks.AzureBlobs;

namespace Firecrawl.Streaming.Tests.Sinks.AzureBlobs;

/// <summary>Reads a container back the way any consumer would: list, download, split lines.</summary>
public static class BlobStore
{
    /// <summary>Every blob's name and content; empty when the container does not exist.</summary>
    public static async Task<List<(string Name, BinaryData Content, BlobProperties Properties)>> ReadAllAsync(BlobContainerClient container, CancellationToken ct)
    {
        var blobs = new List<(string, BinaryData, BlobProperties)>();
        try
        {
            await foreach (BlobItem item in container.GetBlobsAsync(new GetBlobsOptions(), ct))
            {
                BlobDownloadResult download = (await container.GetBlobClient(item.Name).DownloadContentAsync(ct)).Value;
                BlobProperties properties = (await container.GetBlobClient(item.Name).GetPropertiesAsync(cancellationToken: ct)).Value;
                blobs.Add((item.Name, download.Content, properties));
            }
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            return [];
        }

        return blobs;
    }

    /// <summary>The keys of the pages in one-blob-per-page JSON blobs (Markdown blobs skipped).</summary>
    public static async Task<IReadOnlyList<string>> ReadPageKeysAsync(BlobContainerClient container, CancellationToken ct) =>
        (await ReadAllAsync(container, ct))
            .Where(b => b.Name.EndsWith(AzureBlobNames.JsonExtension, StringComparison.Ordinal))
            .Select(b => PageParser.Parse(b.Content.ToArray()).Key)
            .ToList();

    /// <summary>The lines of every JSON Lines blob, in name order and line order.</summary>
    public static async Task<List<byte[]>> ReadLinesAsync(BlobContainerClient container, CancellationToken ct)
    {
        var lines = new List<byte[]>();
        foreach ((string name, BinaryData content, _) in (await ReadAllAsync(container, ct)).OrderBy(b => b.Name, StringComparer.Ordinal))
        {
            Assert.EndsWith(AzureBlobNames.JsonLinesExtension, name, StringComparison.Ordinal);
            lines.AddRange(SplitLines(content.ToArray()));
        }

        return lines;
    }

    public static List<byte[]> SplitLines(byte[] bytes)
    {
        Assert.True(bytes.Length == 0 || bytes[^1] == (byte)'\n', "A JSON Lines blob does not end with a line break.");
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
}
