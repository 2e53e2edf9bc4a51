using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Sinks.AzureBlobs;
using Firecrawl.Streaming.Sinks.Lucene;

namespace Firecrawl.Streaming.Cli;

/// <summary>A sink named on the command line as <c>scheme:target</c>: jsonl:PATH (jsonl:- for stdout), md:DIR, lucene:DIR, blob:CONTAINER[/PREFIX].</summary>
internal sealed record SinkSpec(string Scheme, string Target)
{
    public const string Syntax = "jsonl:PATH (jsonl:- for standard output), md:DIR, lucene:DIR or blob:CONTAINER[/PREFIX]";

    public bool WritesToStandardOutput => Scheme == "jsonl" && Target == "-";

    public static SinkSpec Parse(string text)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string scheme = colon > 0 ? text[..colon].ToLowerInvariant() : string.Empty;
        string target = colon > 0 ? text[(colon + 1)..] : string.Empty;
        if (scheme is not ("jsonl" or "md" or "lucene" or "blob"))
        {
            throw new CliException($"Unknown sink \"{text}\": write a sink as {Syntax}.");
        }

        if (target.Length == 0)
        {
            throw new CliException($"The sink \"{text}\" names no target: write a sink as {Syntax}.");
        }

        return new SinkSpec(scheme, target);
    }

    public IPageSink Create(string? blobConnection, TextWriter stdout) => Scheme switch
    {
        "jsonl" when Target == "-" => new JsonLinesSink(Console.IsOutputRedirected || stdout != Console.Out ? new TextWriterStream(stdout) : Console.OpenStandardOutput(), leaveOpen: true, name: "jsonl:-"),
        "jsonl" => new JsonLinesSink(Target),
        "md" => new MarkdownDirectorySink(Target),
        "lucene" => new LuceneIndexSink(Target),
        _ => CreateBlob(blobConnection),
    };

    private AzureBlobSink CreateBlob(string? connection)
    {
        if (string.IsNullOrWhiteSpace(connection))
        {
            throw new CliException("The blob sink needs a connection string: pass --blob-connection or set AZURE_STORAGE_CONNECTION_STRING.");
        }

        int slash = Target.IndexOf('/', StringComparison.Ordinal);
        string container = slash < 0 ? Target : Target[..slash];
        string prefix = slash < 0 ? string.Empty : Target[(slash + 1)..].TrimEnd('/') + "/";
        try
        {
            return new AzureBlobSink(connection, container, new AzureBlobSinkOptions { Prefix = prefix == "/" ? string.Empty : prefix });
        }
        catch (FormatException)
        {
            throw new CliException("The blob connection string is not a valid Azure Storage connection string.");
        }
    }
}
