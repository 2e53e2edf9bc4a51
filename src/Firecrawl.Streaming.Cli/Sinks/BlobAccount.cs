using Azure.Identity;
using Azure.Storage.Blobs;

namespace Firecrawl.Streaming.Cli.Sinks;

/// <summary><c>blob:</c> sinks given an account URL (<c>https://ACCOUNT.blob.core.windows.net</c>) instead of a connection string.</summary>
internal static class BlobAccount
{
    /// <summary>The value as an account URL, or null when it is a connection string.</summary>
    public static Uri? TryParseUrl(string value) =>
        Uri.TryCreate(value.Trim(), UriKind.Absolute, out Uri? uri) && uri.Scheme is "https" or "http" ? uri : null;

    /// <summary>The container under the account, authenticated by <see cref="DefaultAzureCredential"/>.</summary>
    public static BlobContainerClient Container(Uri account, string container)
    {
        var builder = new BlobUriBuilder(account) { BlobContainerName = container };
        return new BlobContainerClient(builder.ToUri(), new DefaultAzureCredential());
    }
}
