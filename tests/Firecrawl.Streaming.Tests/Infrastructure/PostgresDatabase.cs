using Npgsql;

namespace Firecrawl.Streaming.Tests.Infrastructure;

/// <summary>
/// A class fixture (<c>IClassFixture&lt;PostgresDatabase&gt;</c>) giving each test class its own empty database on the
/// process's shared <see cref="PostgresServer"/>, which starts on first use: classes that need no database never wait on it.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    private PostgresServer? _server;

    /// <summary>Gets the connection string of this class's database (a superuser of it).</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Gets whether the server was started by this process, so that a test may start its own to stop and restart.</summary>
    public bool IsLocal => _server?.IsOwned ?? false;

    /// <summary>Opens a data source on this class's database.</summary>
    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(ConnectionString);

    public async ValueTask InitializeAsync()
    {
        _server = await PostgresServer.SharedAsync(line => TestContext.Current.SendDiagnosticMessage(line));
        ConnectionString = await _server.CreateDatabaseAsync("test");
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null && ConnectionString.Length > 0)
        {
            await _server.DropDatabaseAsync(ConnectionString);
        }
    }
}
