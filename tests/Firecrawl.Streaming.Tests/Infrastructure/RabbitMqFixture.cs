using RabbitMQ.Client;

namespace Firecrawl.Streaming.Tests.Infrastructure;

/// <summary>The test collection of every class that needs RabbitMQ; they share one <see cref="RabbitMqFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class RabbitMqGroup : ICollectionFixture<RabbitMqFixture>
{
    public const string Name = "RabbitMQ";
}

/// <summary>The <see cref="RabbitMqNode"/> of a test run: started before the first class that needs it, stopped after the last.</summary>
public sealed class RabbitMqFixture : IAsyncLifetime
{
    private readonly RabbitMqNode _node = new(line => TestContext.Current.SendDiagnosticMessage(line));

    /// <summary>Gets the broker's AMQP URI.</summary>
    public Uri AmqpUri => _node.AmqpUri;

    public ValueTask InitializeAsync() => new(_node.InitializeAsync());

    public ValueTask DisposeAsync() => _node.DisposeAsync();

    /// <summary>Opens a connection to the broker.</summary>
    public Task<IConnection> ConnectAsync(CancellationToken cancellationToken = default) => _node.ConnectAsync(cancellationToken);

    /// <summary>Stops the broker cleanly and starts it again with its data; skips the test when the broker is an external one.</summary>
    public Task RestartAsync()
    {
        if (!_node.OwnsBroker)
        {
            Assert.Skip("The broker given by RABBITMQ_TEST_URL cannot be restarted by the tests.");
        }

        return _node.RestartAsync();
    }

    /// <summary>Runs <c>rabbitmqctl</c> against the node.</summary>
    public Task<string> CtlAsync(params string[] arguments) => _node.CtlAsync(arguments);
}
