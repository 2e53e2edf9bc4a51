using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Sinks.Lucene;
using Firecrawl.Streaming.Sinks.PostgreSql;

namespace Firecrawl.Streaming.Cli.Commands;

/// <summary>
/// <c>fcstream search INDEX_DIR QUERY [--top N]</c>: queries an index written by a <c>lucene:</c> sink;
/// <c>fcstream search --postgres TABLE QUERY</c> queries a table written by a <c>postgres:</c> sink.
/// </summary>
internal static partial class SearchCommand
{
    public static Command Create(AppServices services)
    {
        var index = new Argument<string>("INDEX_DIR") { Description = "The folder a lucene: sink wrote." };
        var query = new Argument<string>("QUERY")
        {
            Description = "Lucene query syntax over title, description and markdown, e.g. \"sink AND pipeline\" (with --postgres: web search syntax, and INDEX_DIR is left out).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var postgres = new Option<string>("--postgres")
        {
            Description = "Search this table written by a postgres: sink instead of a Lucene index (connection: --pg-connection and the PG* variables).",
            HelpName = "TABLE",
        };
        var pgConnection = new Option<string>("--pg-connection") { Description = "The PostgreSQL connection string for --postgres; never printed.", HelpName = "CONNECTION_STRING" };
        var top = new Option<int>("--top", "-n")
        {
            Description = "The most results to print (default 10).",
            HelpName = "N",
            DefaultValueFactory = _ => 10,
        };
        var command = new Command("search", "Search a Lucene index written by a lucene: sink, or a table written by a postgres: sink.") { index, query, top, postgres, pgConnection };
        command.SetAction(parse =>
        {
            int count = parse.GetValue(top);
            if (count is < 1 or > LuceneIndex.MaxTop)
            {
                throw CliException.Usage(string.Create(CultureInfo.InvariantCulture, $"--top must be between 1 and {LuceneIndex.MaxTop}, not {count}."));
            }

            bool colour = services.Console.OutputIsTerminal;
            if (parse.GetValue(postgres) is { } table)
            {
                // Only QUERY is given: it lands in the first argument.
                string words = parse.GetValue(query) is null ? parse.GetRequiredValue(index) : throw CliException.Usage("With --postgres, give only the query (no INDEX_DIR).");
                Print(services.Console.Out, words, SearchPostgres(services, table, parse.GetValue(pgConnection), words, count), colour: false);
                return ExitCodes.Success;
            }

            string text = parse.GetValue(query) ?? throw CliException.Usage("Give the index folder and the query: fcstream search INDEX_DIR QUERY.");
            IReadOnlyList<SearchHit> hits = Search(parse.GetRequiredValue(index), text, count, colour);
            Print(services.Console.Out, text, hits, colour);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Runs a query, with a missing index or a malformed query reported as a usage error.</summary>
    /// <param name="directory">The index folder.</param>
    /// <param name="query">The query.</param>
    /// <param name="top">The most hits.</param>
    /// <param name="colour">
    /// Whether matches are marked for a terminal (bold yellow) rather than as <c>**term**</c>, which reads well as
    /// plain text and in Markdown.
    /// </param>
    public static IReadOnlyList<SearchHit> Search(string directory, string query, int top, bool colour)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            throw CliException.Usage("The query is empty; give words to look for, e.g. \"sink AND pipeline\".");
        }

        LuceneIndex opened;
        try
        {
            opened = LuceneIndex.Open(directory, colour ? new LuceneSearchOptions { HighlightPreTag = "\u001b[1;33m", HighlightPostTag = "\u001b[0m" } : null);
        }
        catch (DirectoryNotFoundException)
        {
            throw CliException.Usage($"There is no Lucene index in {directory}; write one with: fcstream batch JOB_ID --to lucene:{directory}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Sink, $"The index in {directory} cannot be read: {e.Message}", e);
        }

        using (opened)
        {
            try
            {
                return opened.Search(query, top);
            }
            catch (ArgumentException e)
            {
                throw CliException.Usage(ErrorReporter.WithoutParameter(e), e);
            }
        }
    }

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

    /// <summary>Prints hits as numbered blocks: title and score, URL, snippet with the matched terms highlighted.</summary>
    public static void Print(TextWriter output, string query, IReadOnlyList<SearchHit> hits, bool colour)
    {
        if (hits.Count == 0)
        {
            output.WriteLine($"No page matches \"{query}\".");
            return;
        }

        for (int i = 0; i < hits.Count; i++)
        {
            SearchHit hit = hits[i];
            string title = string.IsNullOrWhiteSpace(hit.Title) ? "(untitled)" : hit.Title;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i + 1,2}. {Bold(title, colour)}  (score {hit.Score:0.00})"));
            output.WriteLine($"    {hit.Url}");
            if (hit.Snippet.Length > 0)
            {
                output.WriteLine($"    {Whitespace().Replace(hit.Snippet, " ").Trim()}");
            }
        }
    }

    private static string Bold(string text, bool colour) => colour ? $"\u001b[1m{text}\u001b[0m" : text;

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
