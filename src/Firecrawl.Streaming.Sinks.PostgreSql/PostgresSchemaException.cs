namespace Firecrawl.Streaming.Sinks.PostgreSql;

/// <summary>
/// A table the sink or the checkpoint store would use exists, but not with the schema this library writes: another
/// application's table, or one of another schema version. Nothing was written to it.
/// </summary>
public sealed class PostgresSchemaException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="tableName">The table.</param>
    /// <param name="foundVersion">The schema version the table declares, or null when it declares none.</param>
    /// <param name="expectedVersion">The schema version this library writes.</param>
    /// <param name="message">What is wrong, in one sentence.</param>
    public PostgresSchemaException(string tableName, int? foundVersion, int expectedVersion, string message)
        : base(message)
    {
        TableName = tableName;
        FoundVersion = foundVersion;
        ExpectedVersion = expectedVersion;
    }

    /// <summary>Gets the table.</summary>
    public string TableName { get; }

    /// <summary>Gets the schema version the table declares, or null when it declares none (not written by this library).</summary>
    public int? FoundVersion { get; }

    /// <summary>Gets the schema version this library writes.</summary>
    public int ExpectedVersion { get; }
}
