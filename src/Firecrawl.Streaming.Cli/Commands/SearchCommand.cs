using System.CommandLine;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Sinks.Lucene;

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
        }.Between(1, LuceneIndex.MaxTop);
        var json = new Option<bool>("--json") { Description = "Print the hits as JSON Lines (one object per hit) instead of text." };
        var command = new Command("search", "Search a Lucene index written by a lucene: sink, or a table written by a postgres: sink.") { index, query, top, json, postgres, pgConnection };
        command.SetAction(parse =>
        {
            int count = parse.GetValue(top);
            if (parse.GetValue(postgres) is { } table)
            {
                // Only QUERY is given: it lands in the first argument.
                string words = parse.GetValue(query) is null ? parse.GetRequiredValue(index) : throw CliException.Usage("With --postgres, give only the query (no INDEX_DIR).");
                IReadOnlyList<SearchHit> rows = SearchPostgres(services, table, parse.GetValue(pgConnection), words, count);
                if (parse.GetValue(json))
                {
                    SearchOutput.WriteJsonLines(services.Console.Out, rows);
                }
                else
                {
                    SearchOutput.Print(services.Console.Out, words, rows, colour: false);
                }

                return ExitCodes.Success;
            }

            string text = parse.GetValue(query) ?? throw CliException.Usage("Give the index folder and the query: fcstream search INDEX_DIR QUERY.");
            if (parse.GetValue(json))
            {
                IReadOnlyList<SearchHit> found = Search(parse.GetRequiredValue(index), text, count, SnippetMarks.None);
                SearchOutput.WriteJsonLines(services.Console.Out, found);
                return ExitCodes.Success;
            }

            bool colour = services.Console.UseColour(services.Console.OutputIsTerminal);
            IReadOnlyList<SearchHit> hits = Search(parse.GetRequiredValue(index), text, count, colour ? SnippetMarks.Markers : SnippetMarks.Asterisks);
            SearchOutput.Print(services.Console.Out, text, hits, colour);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Runs a query, with a missing index or a malformed query reported as a usage error.</summary>
    /// <param name="directory">The index folder.</param>
    /// <param name="query">The query.</param>
    /// <param name="top">The most hits.</param>
    /// <param name="highlight">
    /// How matches are marked: for a terminal (bold yellow, by <see cref="SearchOutput.Print"/>), as <c>**term**</c>, which
    /// reads well as plain text and in Markdown, or not at all (JSON).
    /// </param>
    public static IReadOnlyList<SearchHit> Search(string directory, string query, int top, SnippetMarks highlight)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            throw CliException.Usage("The query is empty; give words to look for, e.g. \"sink AND pipeline\".");
        }

        LuceneIndex opened;
        try
        {
            opened = LuceneIndex.Open(directory, highlight switch
            {
                SnippetMarks.Markers => new LuceneSearchOptions { HighlightPreTag = SearchOutput.MatchStart, HighlightPostTag = SearchOutput.MatchEnd },
                SnippetMarks.None => new LuceneSearchOptions { HighlightPreTag = string.Empty, HighlightPostTag = string.Empty },
                _ => null,
            });
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
}

/// <summary>How <see cref="SearchCommand.Search"/> marks the matched terms in snippets.</summary>
internal enum SnippetMarks
{
    Asterisks,
    Markers,
    None,
}
