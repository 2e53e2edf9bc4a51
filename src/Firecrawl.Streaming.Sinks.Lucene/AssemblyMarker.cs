namespace Firecrawl.Streaming.Sinks.Lucene;

internal static class AssemblyMarker
{
}
