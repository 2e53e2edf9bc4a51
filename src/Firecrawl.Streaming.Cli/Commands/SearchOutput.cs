using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Firecrawl.Streaming.Sinks.Lucene;
using Spectre.Console;

namespace Firecrawl.Streaming.Cli.Commands;

/// <summary>Search hits as text (styled through Spectre.Console, so colour follows the terminal, <c>NO_COLOR</c> and <c>TERM</c>) or as JSON Lines.</summary>
internal static partial class SearchOutput
{
    /// <summary>Private-use characters around a match in a snippet, replaced by a style when printed.</summary>
    public const string MatchStart = "\uE000";

    /// <summary>The end of a match; see <see cref="MatchStart"/>.</summary>
    public const string MatchEnd = "\uE001";

    /// <summary>Prints hits as numbered blocks: title and score, URL, snippet with the matched terms highlighted.</summary>
    public static void Print(TextWriter output, string query, IReadOnlyList<SearchHit> hits, bool colour)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = colour ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = colour ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });

        // Lines are never wrapped: a URL or a snippet stays on one line for grep and copy.
        console.Profile.Width = 100_000;
        if (hits.Count == 0)
        {
            console.WriteLine($"No page matches \"{query}\".");
            return;
        }

        for (int i = 0; i < hits.Count; i++)
        {
            SearchHit hit = hits[i];
            string title = string.IsNullOrWhiteSpace(hit.Title) ? "(untitled)" : hit.Title;
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"{i + 1,2}. [bold]{Markup.Escape(title)}[/]  (score {hit.Score:0.00})"));
            console.MarkupLine($"    {Markup.Escape(hit.Url)}");
            if (hit.Snippet.Length > 0)
            {
                string snippet = Markup.Escape(Whitespace().Replace(hit.Snippet, " ").Trim());
                console.MarkupLine("    " + snippet.Replace(MatchStart, "[bold yellow]", StringComparison.Ordinal).Replace(MatchEnd, "[/]", StringComparison.Ordinal));
            }
        }
    }

    /// <summary>One JSON object per hit and line: rank, score, title, url, key, statusCode, snippet (unmarked).</summary>
    public static void WriteJsonLines(TextWriter output, IReadOnlyList<SearchHit> hits)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        for (int i = 0; i < hits.Count; i++)
        {
            SearchHit hit = hits[i];
            buffer.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteNumber("rank", i + 1);
                json.WriteNumber("score", hit.Score);
                json.WriteString("title", hit.Title);
                json.WriteString("url", hit.Url);
                json.WriteString("key", hit.Key);
                if (hit.StatusCode is int status)
                {
                    json.WriteNumber("statusCode", status);
                }
                else
                {
                    json.WriteNull("statusCode");
                }

                json.WriteString("snippet", Whitespace().Replace(hit.Snippet, " ").Trim());
                json.WriteEndObject();
            }

            output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
        }

        output.Flush();
    }

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
