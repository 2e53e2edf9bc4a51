using System.Globalization;
using Npgsql;

namespace Firecrawl.Streaming.Sinks.PostgreSql;

/// <summary>
/// Creates a table when it is missing and checks one that exists. A table this library created says so in its comment
/// (<c>firecrawl-streaming pages v1</c>); a table without that comment, of another version, or lacking a column of
/// the expected type is refused with a <see cref="PostgresSchemaException"/> before anything is written to it.
/// </summary>
internal sealed class PostgresSchema
{
    private const string CommentPrefix = "firecrawl-streaming ";

    private readonly string _tableName;
    private readonly string _kind;
    private readonly int _version;
    private readonly string _createSql;
    private readonly (string Name, string Type)[] _columns;
    private volatile bool _ensured;

    public PostgresSchema(string tableName, string kind, int version, string createSql, (string Name, string Type)[] columns)
    {
        _tableName = tableName;
        _kind = kind;
        _version = version;
        _createSql = createSql;
        _columns = columns;
    }

    /// <summary>The comment a table of this kind and version carries.</summary>
    public string Comment => string.Create(CultureInfo.InvariantCulture, $"{CommentPrefix}{_kind} v{_version}");

    /// <summary>Opens a connection, creating or checking the table on the first call that succeeds.</summary>
    public async Task<NpgsqlConnection> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_ensured)
            {
                // Concurrent first calls may both check: the check is idempotent and serialised on the server.
                await EnsureAsync(connection, cancellationToken).ConfigureAwait(false);
                _ensured = true;
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates the table when missing, else checks it; concurrent callers are serialised by an advisory lock.</summary>
    public async Task EnsureAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        string quoted = PostgresIdentifier.Quote(_tableName);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext(@key))", connection, transaction))
        {
            command.Parameters.AddWithValue("key", "firecrawl-streaming:" + _tableName);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        bool exists;
        string? comment;
        await using (var command = new NpgsqlCommand(
            "SELECT to_regclass(@name) IS NOT NULL, obj_description(to_regclass(@name), 'pg_class')", connection, transaction))
        {
            command.Parameters.AddWithValue("name", quoted);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            exists = reader.GetBoolean(0);
            comment = reader.IsDBNull(1) ? null : reader.GetString(1);
        }

        if (!exists)
        {
            await using var create = new NpgsqlCommand(
                $"{_createSql}; COMMENT ON TABLE {quoted} IS '{Comment}'", connection, transaction);
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            CheckVersion(comment);
            await CheckColumnsAsync(connection, transaction, quoted, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void CheckVersion(string? comment)
    {
        string prefix = $"{CommentPrefix}{_kind} v";
        if (comment is null || !comment.StartsWith(prefix, StringComparison.Ordinal)
            || !int.TryParse(comment.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int found))
        {
            throw new PostgresSchemaException(_tableName, null, _version, string.Create(CultureInfo.InvariantCulture,
                $"The table {_tableName} exists but was not created by Firecrawl.Streaming (its comment is not \"{Comment}\"): name another table, or drop this one."));
        }

        if (found != _version)
        {
            throw new PostgresSchemaException(_tableName, found, _version, string.Create(CultureInfo.InvariantCulture,
                $"The table {_tableName} has {_kind} schema version {found}, and this version of Firecrawl.Streaming writes version {_version}: name another table, or migrate this one."));
        }
    }

    private async Task CheckColumnsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string quoted, CancellationToken cancellationToken)
    {
        var actual = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass(@name) AND attnum > 0 AND NOT attisdropped",
            connection, transaction))
        {
            command.Parameters.AddWithValue("name", quoted);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                actual[reader.GetString(0)] = reader.GetString(1);
            }
        }

        string[] wrong = [.. _columns
            .Where(column => !actual.TryGetValue(column.Name, out string? type) || type != column.Type)
            .Select(column => actual.TryGetValue(column.Name, out string? type) ? $"{column.Name} is {type}, not {column.Type}" : $"{column.Name} ({column.Type}) is missing")];
        if (wrong.Length > 0)
        {
            throw new PostgresSchemaException(_tableName, _version, _version, string.Create(CultureInfo.InvariantCulture,
                $"The table {_tableName} says it has {_kind} schema version {_version} but its columns differ ({string.Join("; ", wrong)}): name another table, or drop this one."));
        }
    }
}
