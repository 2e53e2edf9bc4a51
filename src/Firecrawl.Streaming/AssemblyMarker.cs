namespace Firecrawl.Streaming;

internal static class AssemblyMarker
{
}
