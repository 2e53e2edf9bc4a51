using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary><c>fcstream batch --to blob:...</c> against Azurite.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class BatchBlobTests(AzuriteFixture azurite) : FakeServerTestBase
{
    private readonly string _container = "c" + Guid.NewGuid().ToString("N")[..20];

    private async Task<List<(string Name, string Content)>> ReadBlobsAsync(string connection)
    {
        var container = new BlobContainerClient(connection, _container);
        var blobs = new List<(string, string)>();
        await foreach (BlobItem item in container.GetBlobsAsync(cancellationToken: Ct))
        {
            BinaryData content = (await container.GetBlobClient(item.Name).DownloadContentAsync(Ct)).Value.Content;
            blobs.Add((item.Name, Encoding.UTF8.GetString(content.ToArray())));
        }

        return blobs;
    }

    [Fact]
    public async Task Batch_BlobSinkFromEnvironment_UploadsOneBlobPerPageUnderThePrefix()
    {
        string connection = azurite.ConnectionString;
        FakeJob job = Server.AddJob(Pages(30), new FakeJobOptions { PageLimit = 8 });
        var environment = new Dictionary<string, string?>
        {
            ["FIRECRAWL_API_KEY"] = Server.ApiKey,
            ["AZURE_STORAGE_CONNECTION_STRING"] = connection,
        };

        CliResult result = await CliRun.RunAsync(
            ["batch", job.Id, "--to", $"blob:{_container}/crawls/run-1", "--api-url", Server.BaseAddress.ToString()], environment, Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        List<(string Name, string Content)> blobs = await ReadBlobsAsync(connection);
        Assert.Equal(30, blobs.Count);
        Assert.All(blobs, b => Assert.StartsWith("crawls/run-1/", b.Name, StringComparison.Ordinal));
        Assert.Equal(
            Enumerable.Range(0, 30).Select(TestPages.ScrapeId).Order(),
            blobs.Select(b => PageParser.Parse(Encoding.UTF8.GetBytes(b.Content)).Key).Order());
        Assert.Contains($"summary sink=blob:{_container}/crawls/run-1 pages=30", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_BlobConnectionOption_WritesPagesAndNeverPrintsTheAccountKey()
    {
        string connection = azurite.ConnectionString;
        string accountKey = connection.Split(';').Single(p => p.StartsWith("AccountKey=", StringComparison.Ordinal))["AccountKey=".Length..];
        FakeJob job = Server.AddJob(Pages(12));

        CliResult result = await CliRun.RunAsync(
            ["batch", job.Id, "--to", $"blob:{_container}", "--blob-connection", connection, "--api-url", Server.BaseAddress.ToString(), "--api-key", Server.ApiKey],
            cancellationToken: Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(12, (await ReadBlobsAsync(connection)).Count);
        Assert.DoesNotContain(accountKey, result.Stderr, StringComparison.Ordinal);
    }
}
