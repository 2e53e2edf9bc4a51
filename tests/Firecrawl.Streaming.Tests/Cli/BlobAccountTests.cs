using Firecrawl.Streaming.Cli.IO;
using Firecrawl.Streaming.Cli.Sinks;
using Firecrawl.Streaming.Sinks.AzureBlobs;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary><c>--blob-connection</c> given an account URL: the container under it, signed in with DefaultAzureCredential.</summary>
public sealed class BlobAccountTests
{
    [Fact]
    public async Task Create_AccountUrl_ContainerUnderTheAccountWithATokenCredential()
    {
        var console = new CliConsole(TextWriter.Null, TextWriter.Null);
        SinkSpec spec = SinkSpec.Parse("blob:pages/docs");

        await using SinkHandle handle = new(spec.Create(console, "https://fcstreamtest.blob.core.windows.net/"));

        AzureBlobSink sink = Assert.IsType<AzureBlobSink>(Assert.IsType<TaggedSink>(handle.Sink).Inner);
        Assert.Equal(new Uri("https://fcstreamtest.blob.core.windows.net/pages"), sink.Container.Uri);
        Assert.Equal("fcstreamtest", sink.Container.AccountName);

        // A token credential carries no account key: nothing to sign a SAS with, unlike a connection string's client.
        Assert.False(sink.Container.CanGenerateSasUri);
    }

    [Theory]
    [InlineData("https://acct.blob.core.windows.net", true)]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1", true)]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net", false)]
    [InlineData("UseDevelopmentStorage=true", false)]
    public void TryParseUrl_ConnectionStringOrAccountUrl_ToldApart(string value, bool isUrl) =>
        Assert.Equal(isUrl, BlobAccount.TryParseUrl(value) is not null);

    /// <summary>Disposes the sink the spec opened.</summary>
    private sealed class SinkHandle(Firecrawl.Streaming.Pipeline.IPageSink sink) : IAsyncDisposable
    {
        public Firecrawl.Streaming.Pipeline.IPageSink Sink { get; } = sink;

        public ValueTask DisposeAsync() => Sink.DisposeAsync();
    }
}
