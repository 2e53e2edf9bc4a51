using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Sinks.Lucene;
using Firecrawl.Streaming.Sinks.PostgreSql;

namespace Firecrawl.Streaming.Cli.Commands;

/// <summary><c>fcstream search --postgres TABLE QUERY</c>.</summary>
internal static partial class SearchCommand
{
    /// <summary>Searches a table a <c>postgres:</c> sink wrote; an empty query, a bad table or a missing table is a usage error.</summary>
    private static IReadOnlyList<SearchHit> SearchPostgres(AppServices services, string table, string? connection, string query, int top)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            throw CliException.Usage("The query is empty; give words to look for, e.g. \"binary copy\" -mysql.");
        }

        var options = new PostgresPageSinkOptions { TableName = table };
        try
        {
            options.Validate();
            var index = new PostgresPageIndex(PostgresConnectionString.Resolve(connection, services.Console.GetVariable), options);
            try
            {
                IReadOnlyList<PostgresSearchHit> hits = index.SearchAsync(query, top).GetAwaiter().GetResult();
                return [.. hits.Select(h => new SearchHit(h.Url ?? h.Key, h.Key, h.Title, h.Rank, h.Snippet, h.StatusCode))];
            }
            finally
            {
                index.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        catch (ArgumentException e)
        {
            throw CliException.Usage(ErrorReporter.WithoutParameter(e), e);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == "42P01")
        {
            throw CliException.Usage($"There is no table {table} to search; write one with: fcstream batch JOB_ID --to postgres:{table}", e);
        }
        catch (Npgsql.NpgsqlException e)
        {
            throw new CliException(ExitCodes.Sink, $"The table {table} cannot be searched: {e.Message}", e);
        }
    }
}
