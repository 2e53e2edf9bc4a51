using Firecrawl.Streaming.Pipeline;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Sinks.AzureBlobs;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Sinks.AzureBlobs;

/// <summary>The sink contract and the one-blob-per-page layout, against Azurite; each test has its own container.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class AzureBlobPerPageSinkTests(AzuriteFixture azurite) : PageSinkContractTests, IAsyncDisposable
{
    private readonly BlobContainerClient _container = azurite.NewContainer("perpage");

    protected override ValueTask<IPageSink> CreateSinkAsync() => ValueTask.FromResult<IPageSink>(new AzureBlobSink(_container));

    protected override Task<IReadOnlyList<string>> ReadBackKeysAsync() => BlobStore.ReadPageKeysAsync(_container, Ct);

    public async ValueTask DisposeAsync() => await _container.DeleteIfExistsAsync();

    private async Task WriteAsync(IReadOnlyList<ScrapedPage> pages, AzureBlobSinkOptions? options = null)
    {
        await using var sink = new AzureBlobSink(_container, options);
        await sink.WriteAsync(pages, Ct);
        await sink.FlushAsync(Ct);
    }

    [Fact]
    public async Task WriteAsync_AwkwardPages_BlobNamesAreTheDocumentedSafeDistinctNames()
    {
        List<ScrapedPage> pages = TestPages.Create(TestPages.Awkward.Length);
        await WriteAsync(pages, new AzureBlobSinkOptions { Prefix = "crawls/run-1/" });

        List<string> names = (await BlobStore.ReadAllAsync(_container, Ct)).Select(b => b.Name).ToList();

        Assert.Equal(pages.Select(p => AzureBlobNames.ForPage(p, "crawls/run-1/")).Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        Assert.Equal(pages.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(names, name =>
        {
            Assert.True(name.Length <= 1024, name);
            Assert.DoesNotContain(name.Split('/'), segment => segment is "" or "." or "..");
            Assert.All(name, c => Assert.True(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-' or '_' or '/', $"'{c}' in {name}"));
            Assert.StartsWith("crawls/run-1/", name, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task WriteAsync_Page_ContentIsTheOriginalBytesAsJson()
    {
        List<ScrapedPage> pages = TestPages.Create(TestPages.Awkward.Length);
        await WriteAsync(pages);

        foreach (ScrapedPage page in pages)
        {
            BlobClient blob = _container.GetBlobClient(AzureBlobNames.ForPage(page));
            BlobDownloadResult download = (await blob.DownloadContentAsync(Ct)).Value;
            Assert.Equal(page.Utf8Json.ToArray(), download.Content.ToArray());
            Assert.Equal("application/json", download.Details.ContentType);
        }
    }

    [Fact]
    public async Task WriteAsync_Page_MetadataIsAsciiAndDecodesToTheOriginal()
    {
        List<ScrapedPage> pages = TestPages.Create(TestPages.Awkward.Length, jobId: "job-ünï");
        await WriteAsync(pages);

        foreach (ScrapedPage page in pages)
        {
            IDictionary<string, string> metadata = (await _container.GetBlobClient(AzureBlobNames.ForPage(page)).GetPropertiesAsync(cancellationToken: Ct)).Value.Metadata;
            Assert.All(metadata.Values, value => Assert.All(value, c => Assert.InRange(c, '!', '~')));
            Assert.Equal(page.Url, AzureBlobMetadata.Decode(metadata[AzureBlobMetadata.Url]));
            Assert.Equal(page.Metadata.Title.ToString(), AzureBlobMetadata.Decode(metadata[AzureBlobMetadata.Title]));
            Assert.Equal(page.Metadata.ScrapeId, AzureBlobMetadata.Decode(metadata[AzureBlobMetadata.ScrapeId]));
            Assert.Equal("job-ünï", AzureBlobMetadata.Decode(metadata[AzureBlobMetadata.JobId]));
            Assert.Equal("200", metadata[AzureBlobMetadata.StatusCode]);
            Assert.Equal(page.Position.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata[AzureBlobMetadata.Position]);
            Assert.False(metadata.ContainsKey(AzureBlobMetadata.Truncated));
        }
    }

    [Fact]
    public async Task WriteAsync_UrlAndTitleOverLimit_MetadataCutBeforeAWholeCharacter()
    {
        string url = "https://example.com/" + new string('u', 5000);
        string title = string.Concat(Enumerable.Repeat("日", 400));
        ScrapedPage page = PageParser.Parse(TestPages.Json(1, title, url), "job-1", 1);
        await WriteAsync([page]);

        IDictionary<string, string> metadata = (await _container.GetBlobClient(AzureBlobNames.ForPage(page)).GetPropertiesAsync(cancellationToken: Ct)).Value.Metadata;

        Assert.Equal(url[..AzureBlobMetadata.MaxUrlLength], AzureBlobMetadata.Decode(metadata[AzureBlobMetadata.Url]));

        // "日" is 3 UTF-8 bytes, 9 encoded characters: 113 of them fit in 1024, and the 114th is not split.
        Assert.Equal(title[..113], AzureBlobMetadata.Decode(metadata[AzureBlobMetadata.Title]));
        Assert.Equal("url,title", metadata[AzureBlobMetadata.Truncated]);
    }

    [Fact]
    public async Task WriteAsync_UploadMarkdown_MarkdownBlobNextToTheJson()
    {
        List<ScrapedPage> pages = TestPages.Create(3);
        await WriteAsync(pages, new AzureBlobSinkOptions { UploadMarkdown = true });

        Assert.Equal(6, (await BlobStore.ReadAllAsync(_container, Ct)).Count);
        foreach (ScrapedPage page in pages)
        {
            string name = AzureBlobNames.ForMarkdown(page);
            Assert.Equal(AzureBlobNames.ForPage(page)[..^".json".Length] + ".md", name);
            BlobDownloadResult download = (await _container.GetBlobClient(name).DownloadContentAsync(Ct)).Value;
            Assert.Equal(page.Markdown, Encoding.UTF8.GetString(download.Content.ToArray()));
            Assert.StartsWith("text/markdown", download.Details.ContentType, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WriteAsync_ContainerMissing_CreatesIt()
    {
        Assert.False((await _container.ExistsAsync(Ct)).Value);
        await WriteAsync(TestPages.Create(1));
        Assert.True((await _container.ExistsAsync(Ct)).Value);
    }

    [Fact]
    public async Task FlushAsync_UploadFailed_ThrowsThenTheNextFlushUploadsIt()
    {
        // Without container creation, uploads into a missing container fail: a storage outage on demand.
        await using var sink = new AzureBlobSink(_container, new AzureBlobSinkOptions { CreateContainer = false });
        List<ScrapedPage> pages = TestPages.Create(3);
        await sink.WriteAsync(pages, Ct);

        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await sink.FlushAsync(Ct));
        Assert.Contains(Flatten(error), e => e is RequestFailedException { Status: 404 });

        await _container.CreateAsync(cancellationToken: Ct);
        await sink.FlushAsync(Ct);
        Assert.Equal(pages.Select(p => p.Key).Order(), (await ReadBackKeysAsync()).Order());
    }

    [Fact]
    public async Task WriteAsync_ReplayedWithNewContent_OverwritesTheSameBlobs()
    {
        List<ScrapedPage> first = TestPages.Create(5);
        await WriteAsync(first);

        // The same pages (same job and keys) come again, e.g. re-read after a crash, with other bytes.
        List<ScrapedPage> again = Enumerable.Range(0, 5)
            .Select(i => PageParser.Parse(TestPages.Json(i, title: $"Second {i}", url: first[i].Url), "job-1", i))
            .ToList();
        await WriteAsync(again);

        var blobs = await BlobStore.ReadAllAsync(_container, Ct);
        Assert.Equal(5, blobs.Count);
        foreach (ScrapedPage page in again)
        {
            Assert.Equal(page.Utf8Json.ToArray(), blobs.Single(b => b.Name == AzureBlobNames.ForPage(page)).Content.ToArray());
        }
    }

    [Fact]
    public async Task WriteAsync_OneUploadAtATime_StoresEveryPage()
    {
        List<ScrapedPage> pages = TestPages.Create(20);
        await WriteAsync(pages, new AzureBlobSinkOptions { MaxConcurrentUploads = 1 });
        Assert.Equal(pages.Select(p => p.Key).Order(), (await ReadBackKeysAsync()).Order());
    }

    [Fact]
    public async Task WriteAsync_AfterDispose_ThrowsObjectDisposed()
    {
        var sink = new AzureBlobSink(_container);
        await sink.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await sink.WriteAsync(TestPages.Create(1), Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await sink.FlushAsync(Ct));
    }

    [Fact]
    public async Task Constructor_ConnectionString_UploadsToTheNamedContainer()
    {
        await using (var sink = new AzureBlobSink(azurite.ConnectionString, _container.Name, new AzureBlobSinkOptions { Prefix = "p/" }))
        {
            Assert.Equal($"azureblob:{AzuriteFixture.AccountName}/{_container.Name}/p/", sink.Name);
            await sink.WriteAsync(TestPages.Create(2), Ct);
            await sink.FlushAsync(Ct);
        }

        Assert.Equal(2, (await ReadBackKeysAsync()).Count);
    }

    private static IEnumerable<Exception> Flatten(Exception error) =>
        error is AggregateException aggregate ? aggregate.Flatten().InnerExceptions : [error];
}
