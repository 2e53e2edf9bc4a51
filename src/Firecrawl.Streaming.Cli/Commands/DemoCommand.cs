using System.CommandLine;
using System.Globalization;
using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.Running;
using Firecrawl.Streaming.Cli.Sinks;
using Firecrawl.Streaming.Sinks.Lucene;
using Firecrawl.Streaming.Testing;

namespace Firecrawl.Streaming.Cli.Commands;

/// <summary>
/// <c>fcstream demo [--pages N] [--out DIR]</c>: the whole tool with no account and no network. A fake Firecrawl
/// server on 127.0.0.1 serves a generated job (realistic pages, many chunks, a short scraping phase); the job is
/// streamed by <see cref="BatchRunner"/>, exactly as <c>batch</c> does, into a Lucene index and a JSON Lines
/// file; then the new index is searched.
/// </summary>
internal static class DemoCommand
{
    public const int DefaultPages = 3000;
    public const string DefaultOut = "fcstream-demo";
    private const string Query = "pipeline AND sink";

    public static Command Create(AppServices services)
    {
        var pages = new Option<int>("--pages")
        {
            Description = $"How many pages the generated job has (default {DefaultPages}).",
            HelpName = "N",
            DefaultValueFactory = _ => DefaultPages,
        };
        var output = new Option<string>("--out")
        {
            Description = $"Where the index and the JSON Lines file go (default ./{DefaultOut}).",
            HelpName = "DIR",
            DefaultValueFactory = _ => DefaultOut,
        };
        var command = new Command("demo", "Stream a generated job from a local fake server into a Lucene index and a JSON Lines file, then search it.")
        {
            pages, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            int count = parse.GetValue(pages);
            if (count is < 1 or > 1_000_000)
            {
                throw CliException.Usage(string.Create(CultureInfo.InvariantCulture, $"--pages must be between 1 and 1000000, not {count}."));
            }

            string directory = parse.GetValue(output) is { Length: > 0 } given ? given : DefaultOut;
            await RunAsync(services, count, directory, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task RunAsync(AppServices services, int count, string directory, CancellationToken cancellationToken)
    {
        TextWriter info = services.Console.Error;
        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

        // Pages are produced on demand from their index, so the server holds sizes, not tens of megabytes.
        FakeJob job = server.AddJob(count, i => FakePageGenerator.Page(i, seed: 2026), new FakeJobOptions
        {
            PageLimit = 100,

            // Enough status requests see the job still scraping that the display shows it growing for a moment.
            ScrapingRequests = Math.Clamp(count / 100, 2, 30),
        });
        double megabytes = count * Enumerable.Range(0, 8).Average(i => FakePageGenerator.Page(i, seed: 2026).Length) / 1_048_576d;
        info.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Demo: a fake Firecrawl server at {server.BaseAddress} serves job {job.Id}: {count:N0} generated pages, about {megabytes:0} MB, still scraping at first. No account or network is used."));
        info.Flush();

        string index = Path.Combine(directory, "index");
        string jsonl = Path.Combine(directory, "pages.jsonl");
        var settings = new BatchSettings
        {
            JobId = job.Id,
            Sinks = SinkSpec.ParseAll([$"lucene:{index}", $"jsonl:{jsonl}"]),
            ApiUrl = server.BaseAddress,
            ApiKey = server.ApiKey,
            PollInterval = TimeSpan.FromMilliseconds(150),
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            CheckpointEvery = 1000,
        };
        await new BatchRunner(services.Console, services.Redactor).RunAsync(settings, cancellationToken).ConfigureAwait(false);

        TextWriter output = services.Console.Out;
        output.WriteLine();
        output.WriteLine($"Searching the new index for {Query}:");
        SearchCommand.Print(output, Query, SearchCommand.Search(index, Query, top: 3, services.Console.OutputIsTerminal), services.Console.OutputIsTerminal);
        output.WriteLine();
        output.WriteLine("Search it yourself:");
        output.WriteLine($"  fcstream search {Quote(index)} \"channel OR backpressure\" --top 5");
        output.WriteLine($"  (from the repository: dotnet run --project src/Firecrawl.Streaming.Cli -- search {Quote(index)} \"channel OR backpressure\")");
        output.WriteLine($"The pages, one JSON object per line, are in {jsonl}.");
        output.Flush();
    }

    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"\"{path}\"" : path;
}
