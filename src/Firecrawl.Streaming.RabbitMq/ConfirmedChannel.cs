using RabbitMQ.Client;

namespace Firecrawl.Streaming.RabbitMq;

/// <summary>
/// One connection with one channel whose publishes the broker confirms: what the job queue client and the page sink
/// publish on, opened and closed together.
/// </summary>
internal sealed class ConfirmedChannel : IAsyncDisposable
{
    private readonly IConnection _connection;

    private ConfirmedChannel(IConnection connection, IChannel channel)
    {
        _connection = connection;
        Channel = channel;
    }

    public IChannel Channel { get; }

    /// <summary>Connects as <paramref name="clientName"/> and opens a channel with publisher confirmations tracked.</summary>
    public static async Task<ConfirmedChannel> OpenAsync(Uri amqpUri, string clientName, CancellationToken cancellationToken)
    {
        IConnection connection = await JobQueueTopology.Factory(amqpUri).CreateConnectionAsync(clientName, cancellationToken).ConfigureAwait(false);
        try
        {
            IChannel channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken).ConfigureAwait(false);
            return new ConfirmedChannel(connection, channel);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Channel.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
