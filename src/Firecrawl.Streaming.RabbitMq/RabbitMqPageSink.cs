using System.Globalization;
using Firecrawl.Streaming.Pipeline;
using RabbitMQ.Client;

namespace Firecrawl.Streaming.RabbitMq;

/// <summary>
/// A sink that publishes every page to a RabbitMQ exchange, so that services downstream scale out on the broker in
/// their turn: <c>--to amqp:EXCHANGE</c>. Each page is one persistent message whose body is the page's JSON, whose
/// message id is the page's identity (<see cref="ScrapedPage.Key"/>: <c>metadata.scrapeId</c>), and whose headers
/// name the job (<c>fc-job-kind</c>, <c>fc-job-id</c>) and the page's position (<c>fc-position</c>).
/// </summary>
/// <remarks>
/// <para><b>Exactly once, on the consumer's side.</b> A write returns only when the broker has confirmed every page of
/// the batch (publisher confirms), so the pipeline's checkpoint never moves past a page the broker does not hold.
/// A run resumed after a crash publishes the pages after its checkpoint again, and AMQP has no way to take a message
/// back: a page may reach the exchange twice, always with the same message id. Consumers deduplicate on the message
/// id (a unique key in their store, or a set of recent ids), which makes every page count exactly once.</para>
/// <para>With <see cref="RabbitMqPageSinkOptions.Mandatory"/> (the default) a page the exchange routes to no queue
/// fails the write instead of vanishing. One connection and one channel per sink, opened on the first write.</para>
/// </remarks>
public sealed class RabbitMqPageSink : IPageSink
{
    private readonly Uri _amqpUri;
    private readonly string _exchange;
    private readonly RabbitMqPageSinkOptions _options;
    private ConfirmedChannel? _link;

    /// <summary>Creates the sink; nothing is sent until the first write.</summary>
    /// <param name="amqpUri">The broker.</param>
    /// <param name="exchange">The exchange the pages are published to.</param>
    /// <param name="options">The routing key and how the exchange is declared; null for the defaults.</param>
    /// <exception cref="ArgumentException">The exchange is empty (the default exchange routes by queue name: name the queue's exchange), or an option is invalid.</exception>
    public RabbitMqPageSink(Uri amqpUri, string exchange, RabbitMqPageSinkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(amqpUri);
        ArgumentException.ThrowIfNullOrWhiteSpace(exchange);
        _options = options ?? new RabbitMqPageSinkOptions();
        _options.Validate();
        _amqpUri = amqpUri;
        _exchange = exchange;
    }

    /// <inheritdoc/>
    public string Name => "amqp:" + _exchange;

    /// <inheritdoc/>
    /// <remarks>Returns when the broker has confirmed every page of the batch.</remarks>
    public async ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pages);
        if (pages.Count == 0)
        {
            return;
        }

        IChannel channel = await ChannelAsync(cancellationToken).ConfigureAwait(false);
        var confirms = new Task[pages.Count];
        for (int i = 0; i < pages.Count; i++)
        {
            ScrapedPage page = pages[i];
            var properties = new BasicProperties
            {
                MessageId = page.Key,
                Persistent = true,
                ContentType = "application/json",
                Type = "fcstream.page",
                Headers = new Dictionary<string, object?>
                {
                    ["fc-job-kind"] = JobMessage.KindName(page.JobKind),
                    ["fc-job-id"] = page.JobId,
                    ["fc-position"] = page.Position.ToString(CultureInfo.InvariantCulture),
                },
            };

            // The body is copied: the page's buffer may be pooled and reused once this write returns.
            confirms[i] = channel.BasicPublishAsync(_exchange, _options.RoutingKey, _options.Mandatory, properties, page.Utf8Json.ToArray(), cancellationToken).AsTask();
        }

        await Task.WhenAll(confirms).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>Every write has been confirmed by the time it returned: nothing is left to make durable.</remarks>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_link is not null)
        {
            await _link.DisposeAsync().ConfigureAwait(false);
            _link = null;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    private async ValueTask<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        if (_link is { Channel.IsOpen: true } open)
        {
            return open.Channel;
        }

        // The pipeline never writes to one sink from two tasks at once (no MaxDegreeOfParallelism here), so no lock.
        if (_link is not null)
        {
            await DisposeAsync().ConfigureAwait(false);
        }

        _link = await ConfirmedChannel.OpenAsync(_amqpUri, "fcstream-page-sink", cancellationToken).ConfigureAwait(false);
        if (_options.DeclareExchangeType is { } type)
        {
            await _link.Channel.ExchangeDeclareAsync(_exchange, type, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return _link.Channel;
    }
}
