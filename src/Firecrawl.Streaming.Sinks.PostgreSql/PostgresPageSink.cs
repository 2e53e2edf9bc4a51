using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;
using Npgsql;

namespace Firecrawl.Streaming.Sinks.PostgreSql;

/// <summary>
/// Writes pages into a PostgreSQL table: each batch is one transaction that binary-COPYs the pages into a temporary
/// staging table and upserts them with one <c>INSERT … ON CONFLICT (scrape_id) DO UPDATE</c>, so a page scraped again
/// (or replayed after a crash) replaces its row, never adds one. With
/// <see cref="PostgresPageSinkOptions.CheckpointTableName"/> the same transaction saves the run's resume point
/// (<see cref="CheckpointStore"/>): after a crash the rows and the checkpoint agree exactly.
/// </summary>
/// <remarks>
/// <para>The table (<see cref="PostgresPageSinkOptions.TableName"/>) is created on the first write when missing; one
/// that exists with another schema fails that write with a <see cref="PostgresSchemaException"/>.</para>
/// <para>Text cannot hold NUL characters in PostgreSQL: the sink strips them (from text columns and from the JSON)
/// rather than fail the page.</para>
/// <para>The connection comes from a connection string or an <see cref="NpgsqlDataSource"/>; what the connection string
/// leaves out (host, port, user, password, database) comes from the standard <c>PGHOST</c>, <c>PGPORT</c>,
/// <c>PGUSER</c>, <c>PGPASSWORD</c> and <c>PGDATABASE</c> variables (<see cref="PostgresConnectionString.Resolve"/>). The sink's name and messages never include the
/// connection string. Flushing has nothing to do: a batch is durable when its write returns.</para>
/// <para>Writes run one at a time. With the checkpoint in the transaction keep the pipeline's
/// <see cref="SinkOptions.MaxDegreeOfParallelism"/> at 1 (the default), so batches commit in job order.</para>
/// </remarks>
public sealed class PostgresPageSink : IPageSink
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PostgresPageTable _table;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private bool _tableEnsured;
    private bool _disposed;

    /// <summary>Creates a sink that opens its own data source; the <c>PG*</c> environment variables fill what the string leaves out.</summary>
    /// <param name="connectionString">The Npgsql connection string; may be empty to use the <c>PG*</c> variables alone.</param>
    /// <param name="options">The options, or null for the defaults.</param>
    /// <exception cref="ArgumentException">The connection string or an option is invalid.</exception>
    public PostgresPageSink(string connectionString, PostgresPageSinkOptions? options = null)
        : this(NpgsqlDataSource.Create(PostgresConnectionString.Resolve(connectionString ?? throw new ArgumentNullException(nameof(connectionString)))), options, ownsDataSource: true)
    {
    }

    /// <summary>Creates a sink over a data source the caller owns (for DI and pooling the Npgsql way).</summary>
    /// <param name="dataSource">The data source; not disposed by the sink.</param>
    /// <param name="options">The options, or null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public PostgresPageSink(NpgsqlDataSource dataSource, PostgresPageSinkOptions? options = null)
        : this(dataSource ?? throw new ArgumentNullException(nameof(dataSource)), options, ownsDataSource: false)
    {
    }

    private PostgresPageSink(NpgsqlDataSource dataSource, PostgresPageSinkOptions? options, bool ownsDataSource)
    {
        options ??= new PostgresPageSinkOptions();
        try
        {
            options.Validate();
        }
        catch when (ownsDataSource)
        {
            dataSource.Dispose();
            throw;
        }

        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _table = new PostgresPageTable(options.TableName, options.TextSearchConfiguration);
        Name = "postgres:" + options.TableName;
        if (options.CheckpointTableName is { } checkpointTable)
        {
            CheckpointStore = new PostgresCheckpointStore(dataSource, [Name], jobId: null, checkpointTable);
        }
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets the table the sink writes.</summary>
    public string TableName => _table.Name;

    /// <summary>
    /// Gets the checkpoint store whose row for this sink each batch's transaction updates, or null without
    /// <see cref="PostgresPageSinkOptions.CheckpointTableName"/>. Pass it as <see cref="PipelineOptions.Checkpoint"/>
    /// of a run whose only sink is this one.
    /// </summary>
    public PostgresCheckpointStore? CheckpointStore { get; }

    /// <inheritdoc/>
    public async ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pages);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (pages.Count == 0)
        {
            return;
        }

        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await WriteBatchAsync(pages, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e) when (e.IsTransient || e.InnerException is IOException or System.Net.Sockets.SocketException || e is PostgresException { SqlState: "57P01" or "57P02" or "57P03" })
        {
            // The server went away (restart, failover): drop the pooled connections to it, so the pipeline's retry of
            // this batch opens a fresh one instead of finding another dead one.
            _dataSource.Clear();
            throw;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc/>
    /// <remarks>Every batch was committed by its write; nothing is buffered.</remarks>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task WriteBatchAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (!_tableEnsured)
        {
            await _table.Schema.EnsureAsync(connection, cancellationToken).ConfigureAwait(false);
            _tableEnsured = true;
        }

        if (CheckpointStore is not null)
        {
            await CheckpointStore.EnsureAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var stage = new NpgsqlCommand(_table.StageSql, connection, transaction))
        {
            await stage.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (NpgsqlBinaryImporter importer = await connection.BeginBinaryImportAsync(_table.CopySql, cancellationToken).ConfigureAwait(false))
        {
            foreach (ScrapedPage page in pages)
            {
                await PostgresPageTable.WriteRowAsync(importer, page, cancellationToken).ConfigureAwait(false);
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var upsert = new NpgsqlCommand(_table.UpsertSql, connection, transaction))
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (CheckpointStore is not null)
        {
            // The resume point after this batch: its last page in job order, for a run whose only sink is this one.
            ScrapedPage last = pages.MaxBy(p => p.Position)!;
            var checkpoint = new PipelineCheckpoint(last.JobKind, last.JobId, last.ResumeToken, [Name]);
            await CheckpointStore.SaveAsync(connection, transaction, checkpoint, checkpoint.Format(), cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
