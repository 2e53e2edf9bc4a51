namespace Firecrawl.Streaming.Sinks.AzureBlobs;

internal static class AssemblyMarker
{
}
