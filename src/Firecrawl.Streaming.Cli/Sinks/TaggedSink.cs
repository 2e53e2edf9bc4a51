using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Sinks;

namespace Firecrawl.Streaming.Cli.Sinks;

/// <summary>
/// A sink under the name the user gave it (<c>md:./pages</c>, as typed), whose failures arrive as
/// <see cref="SinkFailedException"/>: the pipeline rethrows a sink's exception as it is, and without the tag an
/// <see cref="IOException"/> from a full disk could not be told from one of the network.
/// </summary>
internal sealed class TaggedSink(string name, IPageSink inner) : IPageSink
{
    public string Name { get; } = name;

    public IPageSink Inner { get; } = inner;

    public async ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken = default)
    {
        try
        {
            await Inner.WriteAsync(pages, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not SinkFailedException)
        {
            throw new SinkFailedException(Name, e);
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await Inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not SinkFailedException)
        {
            throw new SinkFailedException(Name, e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Inner.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not SinkFailedException)
        {
            throw new SinkFailedException(Name, e);
        }
    }

    public override string ToString() => Name;
}
