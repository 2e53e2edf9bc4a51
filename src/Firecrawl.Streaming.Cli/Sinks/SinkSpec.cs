using Firecrawl.Streaming.Pipeline;
using System.Text.RegularExpressions;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.IO;
using Firecrawl.Streaming.RabbitMq;
using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Sinks.AzureBlobs;
using Firecrawl.Streaming.Sinks.Lucene;
using Firecrawl.Streaming.Sinks.PostgreSql;

namespace Firecrawl.Streaming.Cli.Sinks;

/// <summary>The kinds of sink <c>--to</c> can name.</summary>
internal enum SinkKind
{
    JsonLines,
    Markdown,
    Lucene,
    Blob,
    Postgres,
    Amqp,
}

/// <summary>
/// One <c>--to SCHEME:TARGET</c> value, checked: <c>jsonl:PATH</c> (<c>jsonl:-</c> for standard output),
/// <c>md:DIR</c>, <c>lucene:DIR</c> or <c>blob:CONTAINER[/PREFIX]</c>. Parsing never touches the disk or the
/// network; <see cref="Create"/> opens the sink.
/// </summary>
internal sealed partial record SinkSpec(SinkKind Kind, string Target, string Text)
{
    public const string Schemes = "jsonl:PATH, jsonl:-, md:DIR, lucene:DIR, blob:CONTAINER[/PREFIX], postgres:TABLE, amqp:EXCHANGE";

    /// <summary>The variable that names the broker of <c>amqp:</c> sinks when <c>--amqp</c> does not.</summary>
    public const string AmqpVariable = "FCSTREAM_AMQP_URL";

    /// <summary>Gets a value indicating whether this sink writes to standard output.</summary>
    public bool IsStdout => Kind == SinkKind.JsonLines && Target == "-";

    /// <summary>Parses one <c>--to</c> value.</summary>
    /// <exception cref="CliException">The value is not a sink (exit code 2).</exception>
    public static SinkSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw CliException.Usage($"--to \"{text}\" names no sink; use one of {Schemes}.");
        }

        string scheme = text[..colon].Trim().ToLowerInvariant();
        string target = text[(colon + 1)..].Trim();
        SinkKind kind = scheme switch
        {
            "jsonl" => SinkKind.JsonLines,
            "md" or "markdown" => SinkKind.Markdown,
            "lucene" => SinkKind.Lucene,
            "blob" => SinkKind.Blob,
            "postgres" or "pg" => SinkKind.Postgres,
            "amqp" => SinkKind.Amqp,
            _ => throw CliException.Usage($"--to \"{text}\" has an unknown sink scheme \"{scheme}\"; use one of {Schemes}."),
        };
        if (target.Length == 0)
        {
            throw CliException.Usage($"--to \"{text}\" names no {kind switch { SinkKind.Blob => "container", SinkKind.Postgres => "table", SinkKind.Amqp => "exchange", _ => "path" }} after \"{scheme}:\".");
        }

        // One spelling for postgres: the name keys the checkpoint row the sink writes in its transactions.
        var spec = new SinkSpec(kind, target, $"{(kind == SinkKind.Postgres ? "postgres" : scheme)}:{target}");
        if (kind == SinkKind.Blob)
        {
            spec.CheckBlobTarget();
        }

        if (kind == SinkKind.Postgres && !Regex.IsMatch(target, "^([A-Za-z_][A-Za-z0-9_]{0,62}\\.)?[A-Za-z_][A-Za-z0-9_]{0,62}$", RegexOptions.CultureInvariant))
        {
            throw CliException.Usage($"--to \"{text}\" names an invalid table \"{target}\"; use name or schema.name of letters, digits and underscores.");
        }

        return spec;
    }

    /// <summary>Parses every <c>--to</c> value and checks them together: at least one, no two alike, at most one on standard output.</summary>
    public static IReadOnlyList<SinkSpec> ParseAll(IEnumerable<string>? values)
    {
        SinkSpec[] specs = [.. (values ?? []).Select(Parse)];
        if (specs.Length == 0)
        {
            throw CliException.Usage($"Name at least one sink with --to ({Schemes}).");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (SinkSpec spec in specs)
        {
            if (!seen.Add(spec.Identity))
            {
                throw CliException.Usage($"--to \"{spec.Text}\" is given twice; each sink must be named once.");
            }
        }

        return specs;
    }

    /// <summary>Opens the sink. The returned sink reports its failures as <see cref="SinkFailedException"/> under <see cref="Text"/>.</summary>
    /// <param name="console">Standard output, for <c>jsonl:-</c>.</param>
    /// <param name="blobConnection">The storage connection string, for <c>blob:</c>.</param>
    /// <param name="pgConnection">The resolved PostgreSQL connection string, for <c>postgres:</c>.</param>
    /// <param name="pgCheckpointTable">The checkpoint table each <c>postgres:</c> batch's transaction also writes, or null.</param>
    /// <param name="amqpUri">The broker, for <c>amqp:</c>.</param>
    /// <exception cref="SinkFailedException">The sink could not be opened.</exception>
    public IPageSink Create(CliConsole console, string? blobConnection, string? pgConnection = null, string? pgCheckpointTable = null, Uri? amqpUri = null)
    {
        try
        {
            IPageSink sink = Kind switch
            {
                SinkKind.JsonLines when IsStdout => new JsonLinesSink(console.OpenStdout(), leaveOpen: true, name: Text),
                SinkKind.JsonLines => new JsonLinesSink(Target),
                SinkKind.Markdown => new MarkdownDirectorySink(Target),
                SinkKind.Lucene => new LuceneIndexSink(Target),
                SinkKind.Blob => CreateBlob(blobConnection),
                SinkKind.Postgres => new PostgresPageSink(pgConnection ?? string.Empty, new PostgresPageSinkOptions { TableName = Target, CheckpointTableName = pgCheckpointTable }),
                SinkKind.Amqp => new RabbitMqPageSink(amqpUri ?? throw CliException.Usage(
                    $"--to \"{Text}\" needs a broker: set {AmqpVariable} (a worker also takes --amqp URL)."), Target),
                _ => throw new InvalidOperationException($"No factory for {Kind}."),
            };
            return new TaggedSink(Text, sink);
        }
        catch (Exception e) when (e is not CliException)
        {
            throw new SinkFailedException(Text, e);
        }
    }

    /// <summary>What makes two specs the same sink: the kind and the target as the file system or storage sees it.</summary>
    private string Identity => Kind switch
    {
        SinkKind.Blob => $"{Kind}:{Target.TrimEnd('/')}",
        SinkKind.Postgres => $"{Kind}:{Target}",
        SinkKind.Amqp => $"{Kind}:{Target}",
        _ when IsStdout => "stdout",
        _ => $"{Kind}:{Path.GetFullPath(Target)}",
    };

    private (string Container, string Prefix) SplitBlobTarget()
    {
        int slash = Target.IndexOf('/', StringComparison.Ordinal);
        string container = slash < 0 ? Target : Target[..slash];
        string prefix = slash < 0 ? string.Empty : Target[(slash + 1)..].Trim('/');
        return (container, prefix.Length == 0 ? string.Empty : prefix + "/");
    }

    private void CheckBlobTarget()
    {
        (string container, string prefix) = SplitBlobTarget();
        if (!ContainerName().IsMatch(container) || container.Contains("--", StringComparison.Ordinal))
        {
            throw CliException.Usage(
                $"--to \"{Text}\" names an invalid container \"{container}\"; container names have 3 to 63 lowercase letters, digits and single hyphens.");
        }

        if (prefix.Contains("..", StringComparison.Ordinal) || prefix.Contains("//", StringComparison.Ordinal))
        {
            throw CliException.Usage($"--to \"{Text}\" has an invalid blob prefix \"{prefix}\"; use a relative name without \"..\".");
        }
    }

    private AzureBlobSink CreateBlob(string? connection)
    {
        if (string.IsNullOrWhiteSpace(connection))
        {
            throw CliException.Usage($"--to \"{Text}\" needs a storage connection string or account URL: pass --blob-connection or set AZURE_STORAGE_CONNECTION_STRING.");
        }

        (string container, string prefix) = SplitBlobTarget();
        var options = new AzureBlobSinkOptions { Prefix = prefix };
        if (BlobAccount.TryParseUrl(connection) is Uri account)
        {
            // An account URL: signed in as whoever DefaultAzureCredential finds (environment, workload or managed
            // identity, Azure CLI ...), with no secret on the command line.
            return new AzureBlobSink(BlobAccount.Container(account, container), options);
        }

        return new AzureBlobSink(connection, container, options);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerName();
}
