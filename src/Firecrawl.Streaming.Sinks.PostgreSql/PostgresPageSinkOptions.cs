namespace Firecrawl.Streaming.Sinks.PostgreSql;

/// <summary>Options of <see cref="PostgresPageSink"/>. Every property has a documented default.</summary>
public sealed class PostgresPageSinkOptions
{
    /// <summary>The table written when no other is named.</summary>
    public const string DefaultTableName = "firecrawl_pages";

    /// <summary>
    /// Gets or sets the table: <c>name</c> or <c>schema.name</c>, letters, digits and underscores (quoted, so case is
    /// kept). It is created when missing; one that exists must have this library's schema. Default: <c>firecrawl_pages</c>.
    /// </summary>
    public string TableName { get; set; } = DefaultTableName;

    /// <summary>
    /// Gets or sets the checkpoint table that each batch's transaction also writes the run's resume point to, so
    /// that the pages and the checkpoint always agree (see <see cref="PostgresPageSink.CheckpointStore"/>); null writes
    /// pages only. The table may be shared by any number of runs and sinks. Default: null.
    /// </summary>
    public string? CheckpointTableName { get; set; }

    /// <summary>
    /// Gets or sets the text-search configuration of the generated <c>search</c> column and of searches, e.g.
    /// <c>english</c>, <c>simple</c>, <c>german</c>. It is part of the table's definition: change it only for a new table.
    /// Default: <c>english</c>.
    /// </summary>
    public string TextSearchConfiguration { get; set; } = "english";

    /// <summary>Checks every option, naming the first one that is invalid.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        Require(PostgresIdentifier.IsValid(TableName), nameof(TableName), "must be name or schema.name of letters, digits and underscores");
        Require(CheckpointTableName is null || PostgresIdentifier.IsValid(CheckpointTableName), nameof(CheckpointTableName),
            "must be null, or name or schema.name of letters, digits and underscores");
        Require(PostgresIdentifier.IsValid(TextSearchConfiguration), nameof(TextSearchConfiguration), "must name a text-search configuration");
    }

    internal static void Require(bool condition, string name, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"{name} {rule}.", name);
        }
    }
}
