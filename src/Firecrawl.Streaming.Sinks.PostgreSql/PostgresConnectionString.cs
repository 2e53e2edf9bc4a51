using System.Globalization;
using Npgsql;

namespace Firecrawl.Streaming.Sinks.PostgreSql;

/// <summary>
/// Fills what a connection string leaves out from the standard PostgreSQL variables <c>PGHOST</c>, <c>PGPORT</c>,
/// <c>PGUSER</c>, <c>PGPASSWORD</c> and <c>PGDATABASE</c>, as <c>psql</c> does. Npgsql itself reads only some of them
/// (<c>PGPASSWORD</c>, <c>PGPASSFILE</c>, the SSL ones) and requires a host in the string, so the sink and the index
/// resolve their connection strings through this first.
/// </summary>
public static class PostgresConnectionString
{
    /// <summary>Returns the connection string with every missing host, port, user, password and database taken from the variables.</summary>
    /// <param name="connectionString">The connection string, or null or empty to use the variables alone.</param>
    /// <param name="getVariable">Reads an environment variable; null reads the process's own.</param>
    /// <returns>The completed connection string (values given in it always win).</returns>
    /// <exception cref="ArgumentException">The connection string is malformed, or <c>PGPORT</c> is not a port number.</exception>
    public static string Resolve(string? connectionString, Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        var builder = new NpgsqlConnectionStringBuilder(connectionString ?? string.Empty);
        if (string.IsNullOrEmpty(builder.Host) && Variable(getVariable, "PGHOST") is { } host)
        {
            builder.Host = host;
        }

        // Port has a default (5432) in the builder: only a port the string does not name is taken from PGPORT.
        if (!Names(connectionString, "port") && Variable(getVariable, "PGPORT") is { } port)
        {
            builder.Port = int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number is > 0 and < 65536
                ? number
                : throw new ArgumentException("PGPORT is not a port number.", nameof(getVariable));
        }

        if (string.IsNullOrEmpty(builder.Username) && Variable(getVariable, "PGUSER") is { } user)
        {
            builder.Username = user;
        }

        if (string.IsNullOrEmpty(builder.Password) && Variable(getVariable, "PGPASSWORD") is { } password)
        {
            builder.Password = password;
        }

        if (string.IsNullOrEmpty(builder.Database) && Variable(getVariable, "PGDATABASE") is { } database)
        {
            builder.Database = database;
        }

        return builder.ConnectionString;
    }

    private static string? Variable(Func<string, string?> getVariable, string name) => getVariable(name) is { Length: > 0 } value ? value : null;

    /// <summary>Whether the string itself gives <paramref name="keyword"/> (the Npgsql builder reports defaults as present).</summary>
    private static bool Names(string? connectionString, string keyword) =>
        !string.IsNullOrEmpty(connectionString) && new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.ContainsKey(keyword);
}
