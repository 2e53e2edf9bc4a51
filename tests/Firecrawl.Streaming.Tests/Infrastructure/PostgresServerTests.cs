using Npgsql;

namespace Firecrawl.Streaming.Tests.Infrastructure;

public sealed class PostgresServerTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task CreateDatabase_SharedServer_GivesAnEmptyDatabaseOfItsOwn()
    {
        await using NpgsqlDataSource source = database.CreateDataSource();
        await using NpgsqlCommand command = source.CreateCommand(
            "SELECT current_database(), (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')");
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));
        Assert.StartsWith("test_", reader.GetString(0), StringComparison.Ordinal);
        Assert.Equal(0, reader.GetInt64(1));
    }

    [Fact]
    public async Task StopThenStart_PrivateServer_KeepsCommittedRowsAndRefusesConnectionsWhileDown()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using PostgresServer server = await PostgresServer.StartNewAsync();
        await using (NpgsqlDataSource source = NpgsqlDataSource.Create(server.ConnectionString))
        {
            await source.CreateCommand("CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)").ExecuteNonQueryAsync(cancel);
        }

        await server.StopAsync();
        await using (NpgsqlDataSource down = NpgsqlDataSource.Create(server.ConnectionString))
        {
            await Assert.ThrowsAsync<NpgsqlException>(async () => await down.OpenConnectionAsync(cancel));
        }

        await server.StartAsync();
        await using NpgsqlDataSource again = NpgsqlDataSource.Create(server.ConnectionString);
        Assert.Equal(42, await again.CreateCommand("SELECT n FROM kept").ExecuteScalarAsync(cancel));
    }
}
