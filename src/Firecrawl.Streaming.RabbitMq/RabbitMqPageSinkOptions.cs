namespace Firecrawl.Streaming.RabbitMq;

/// <summary>How <see cref="RabbitMqPageSink"/> publishes pages.</summary>
public sealed class RabbitMqPageSinkOptions
{
    /// <summary>Gets or sets the routing key of every page message. Default: <c>fcstream.page</c>.</summary>
    public string RoutingKey { get; set; } = "fcstream.page";

    /// <summary>
    /// Gets or sets the type of exchange the sink declares when the exchange does not exist (<c>fanout</c>,
    /// <c>direct</c>, <c>topic</c>, <c>headers</c>); null declares nothing and requires the exchange to exist.
    /// An existing exchange must be durable and of this type. Default: <c>fanout</c>.
    /// </summary>
    public string? DeclareExchangeType { get; set; } = "fanout";

    /// <summary>
    /// Gets or sets whether a page the exchange routes to no queue fails the write (the broker returns it) instead of
    /// being dropped. Default: true: a page no consumer will ever see is not counted as delivered.
    /// </summary>
    public bool Mandatory { get; set; } = true;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(RoutingKey, nameof(RoutingKey));
        if (DeclareExchangeType is not (null or "fanout" or "direct" or "topic" or "headers"))
        {
            throw new ArgumentException("DeclareExchangeType must be fanout, direct, topic, headers or null.", nameof(DeclareExchangeType));
        }
    }
}
