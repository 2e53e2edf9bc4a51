namespace Firecrawl.Streaming.Testing;

internal static class AssemblyMarker
{
}
