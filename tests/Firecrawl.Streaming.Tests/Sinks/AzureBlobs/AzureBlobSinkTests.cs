using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Sinks.AzureBlobs;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Sinks.AzureBlobs;

/// <summary>The contract against Azurite, for one layout; each test gets its own container.</summary>
public abstract class AzureBlobContractTests(AzuriteFixture azurite, AzureBlobLayout layout) : PageSinkContractTests
{
    private readonly string _containerName = "c" + Guid.NewGuid().ToString("N");
    private BlobContainerClient? _container;

    protected async Task<BlobContainerClient> ContainerAsync() =>
        _container ??= new BlobContainerClient(await azurite.GetConnectionStringAsync(Ct), _containerName);

    protected override async ValueTask<IPageSink> CreateSinkAsync() =>
        new AzureBlobSink(await ContainerAsync(), new AzureBlobSinkOptions { Layout = layout, Prefix = "run/", PagesPerBlob = 7 });

    protected override async Task<IReadOnlyList<string>> ReadBackKeysAsync()
    {
        BlobContainerClient container = await ContainerAsync();
        var keys = new List<string>();
        if (!await container.ExistsAsync(Ct))
        {
            return keys;
        }

        await foreach (BlobItem item in container.GetBlobsAsync(cancellationToken: Ct))
        {
            byte[] content = (await container.GetBlobClient(item.Name).DownloadContentAsync(Ct)).Value.Content.ToArray();
            foreach (string line in Encoding.UTF8.GetString(content).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                keys.Add(ScrapedPage.Parse(Encoding.UTF8.GetBytes(line)).Key);
            }
        }

        return keys;
    }
}

public sealed class AzureBlobPerPageContractTests(AzuriteFixture azurite) : AzureBlobContractTests(azurite, AzureBlobLayout.BlobPerPage);

public sealed class AzureBlobJsonLinesBatchesContractTests(AzuriteFixture azurite) : AzureBlobContractTests(azurite, AzureBlobLayout.JsonLinesBatches);

public sealed class AzureBlobSinkTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<BlobContainerClient> NewContainerAsync() =>
        new(await azurite.GetConnectionStringAsync(Ct), "t" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task WriteAsync_BlobPerPage_ContentTypeMetadataAndBytesAsSent()
    {
        BlobContainerClient container = await NewContainerAsync();
        List<ScrapedPage> pages = TestPages.Create(TestPages.Awkward.Length);
        await using (var sink = new AzureBlobSink(container, new AzureBlobSinkOptions { Prefix = "crawl/" }))
        {
            await sink.WriteAsync(pages, Ct);
            await sink.FlushAsync(Ct);
        }

        foreach (ScrapedPage page in pages)
        {
            BlobClient blob = container.GetBlobClient(BlobNames.ForPage(page, "crawl/"));
            BlobDownloadResult content = (await blob.DownloadContentAsync(Ct)).Value;
            Assert.Equal(page.Utf8Json.ToArray(), content.Content.ToArray());
            Assert.Equal("application/json; charset=utf-8", content.Details.ContentType);
            Assert.Equal(page.Url, Uri.UnescapeDataString(content.Details.Metadata["url"]));
            Assert.Equal(page.Metadata.Title.ToString()[..Math.Min(200, page.Metadata.Title.ToString().Length)], Uri.UnescapeDataString(content.Details.Metadata["title"])[..Math.Min(200, page.Metadata.Title.ToString().Length)]);
            Assert.Equal("200", content.Details.Metadata["statuscode"]);
        }
    }

    [Fact]
    public void ForPage_AwkwardUrls_SafeDistinctNames()
    {
        List<ScrapedPage> pages = TestPages.Create(TestPages.Awkward.Length);

        string[] names = [.. pages.Select(p => BlobNames.ForPage(p, "p/"))];

        Assert.Equal(names.Length, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(names, name =>
        {
            Assert.InRange(name.Length, 1, 200);
            Assert.DoesNotContain("..", name, StringComparison.Ordinal);
            Assert.Matches("^p/[a-z0-9-]+-[0-9a-f]{16}\\.json$", name);
        });
    }

    [Fact]
    public async Task WriteAsync_ContainerMissing_CreatesIt()
    {
        BlobContainerClient container = await NewContainerAsync();
        Assert.False(await container.ExistsAsync(Ct));

        await using (var sink = new AzureBlobSink(container))
        {
            await sink.WriteAsync(TestPages.Create(1), Ct);
        }

        Assert.True(await container.ExistsAsync(Ct));
    }

    [Fact]
    public async Task FlushAsync_JsonLinesBatches_OneBlobPerPositionRange()
    {
        BlobContainerClient container = await NewContainerAsync();
        await using (var sink = new AzureBlobSink(container, new AzureBlobSinkOptions { Layout = AzureBlobLayout.JsonLinesBatches, PagesPerBlob = 10 }))
        {
            await sink.WriteAsync(TestPages.Create(25), Ct);
            await sink.FlushAsync(Ct);
        }

        var names = new List<string>();
        await foreach (BlobItem item in container.GetBlobsAsync(cancellationToken: Ct))
        {
            names.Add(item.Name);
        }

        Assert.Equal(["job-1/pages-00000000.jsonl", "job-1/pages-00000001.jsonl", "job-1/pages-00000002.jsonl"], names.Order());
    }

    [Fact]
    public void Options_OutOfRange_Rejected()
    {
        Assert.Throws<ArgumentException>(() => new AzureBlobSinkOptions { Prefix = "../x" }.Validate());
        Assert.Throws<ArgumentException>(() => new AzureBlobSinkOptions { PagesPerBlob = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new AzureBlobSinkOptions { MaxConcurrency = 0 }.Validate());
    }
}
