using System.CommandLine;
using System.Globalization;
using Firecrawl.Streaming.Sinks.Lucene;

namespace Firecrawl.Streaming.Cli;

/// <summary><c>fcstream search INDEX_DIR QUERY [--top N]</c>.</summary>
internal static class SearchCommand
{
    public static Command Create(AppContext app)
    {
        var index = new Argument<string>("INDEX_DIR") { Description = "A folder written by a lucene: sink." };
        var query = new Argument<string>("QUERY") { Description = "Lucene query syntax over title, description and markdown." };
        var top = new Option<int>("--top") { Description = "The most results to print.", DefaultValueFactory = _ => 10 };
        var command = new Command("search", "Search an index written by a lucene: sink.") { index, query, top };
        command.SetAction(parse =>
        {
            int count = parse.GetValue(top);
            if (count < 1)
            {
                throw new CliException("--top must be at least 1.");
            }

            Print(app.Stdout, parse.GetValue(index)!, parse.GetValue(query)!, count);
            return ExitCodes.Success;
        });
        return command;
    }

    public static void Print(TextWriter output, string directory, string query, int top)
    {
        LuceneIndex index;
        try
        {
            index = LuceneIndex.Open(directory);
        }
        catch (DirectoryNotFoundException)
        {
            throw new CliException($"There is no search index in {directory}; write one with --to lucene:{directory}.");
        }

        using (index)
        {
            IReadOnlyList<SearchHit> hits = index.Search(query, top);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Top {hits.Count} of {index.Count:N0} indexed pages for \"{query}\":"));
            foreach (SearchHit hit in hits)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{hit.Score,7:0.00}  {hit.Title}"));
                output.WriteLine($"         {hit.Url}");
                output.WriteLine($"         {hit.Snippet}");
            }
        }
    }
}
