using System.CommandLine;
using Firecrawl.Streaming.Testing;

namespace Firecrawl.Streaming.Cli;

/// <summary>
/// <c>fcstream demo [--pages N] [--out DIR]</c>: no account, no network. A fake Firecrawl server on 127.0.0.1 serves a
/// generated job (a short scraping phase, then many chunks), and the same code path as <c>batch</c> streams it into a
/// Lucene index and a JSON Lines file; then one search runs against the new index.
/// </summary>
internal static class DemoCommand
{
    private const string DemoQuery = "pipeline";

    public static Command Create(AppContext app)
    {
        var pages = new Option<int>("--pages") { Description = "Pages in the generated job.", DefaultValueFactory = _ => 3000 };
        var output = new Option<string>("--out") { Description = "Where the index and the JSON Lines file go.", DefaultValueFactory = _ => "./fcstream-demo" };
        var command = new Command("demo", "Run the whole thing against a local fake Firecrawl server: no account or network needed.") { pages, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            int count = parse.GetValue(pages);
            if (count is < 1 or > 1_000_000)
            {
                throw new CliException("--pages must be between 1 and 1000000.");
            }

            return await RunAsync(app, count, parse.GetValue(output)!, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(AppContext app, int count, string output, CancellationToken cancellationToken)
    {
        string directory = Path.GetFullPath(output);
        string index = Path.Combine(directory, "index");
        string jsonl = Path.Combine(directory, "pages.jsonl");

        // Each demo is a fresh job: what an earlier demo wrote here would otherwise count as already delivered.
        if (Directory.Exists(index))
        {
            Directory.Delete(index, recursive: true);
        }

        Directory.CreateDirectory(directory);
        File.Delete(jsonl);

        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(cancellationToken: cancellationToken);
        FakeBatchJob job = server.AddJob(count, i => FakePageGenerator.Page(i, seed: 42), new FakeJobOptions { PageLimit = 100, ScrapingRequests = 4 });
        app.Stderr.WriteLine($"Demo: a fake Firecrawl server at {server.BaseAddress} serves job {job.Id} ({count:N0} generated pages).");
        app.ApiKeyInUse = server.ApiKey;

        var request = new BatchRequest(
            job.Id,
            [new SinkSpec("lucene", index), new SinkSpec("jsonl", jsonl)],
            server.BaseAddress,
            server.ApiKey,
            CheckpointPath: null,
            PollInterval: TimeSpan.FromMilliseconds(250),
            MaxRetries: 3,
            PageFields.All,
            BlobConnection: null,
            Quiet: false);
        int code = await BatchRun.RunAsync(request, app.Stdout, app.Stderr, app.StderrIsTerminal, cancellationToken);

        app.Stdout.WriteLine();
        app.Stdout.WriteLine($"Wrote {jsonl} and a search index in {index}. A search for \"{DemoQuery}\":");
        SearchCommand.Print(app.Stdout, index, DemoQuery, top: 3);
        app.Stdout.WriteLine();
        app.Stdout.WriteLine("Search more with:");
        app.Stdout.WriteLine($"  dotnet run --project src/Firecrawl.Streaming.Cli -- search \"{index}\" \"your words\"");
        return code;
    }
}
