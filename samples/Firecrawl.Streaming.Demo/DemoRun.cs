using System.Globalization;
using Firecrawl.Streaming.Cli;
using Firecrawl.Streaming.Testing;

namespace Firecrawl.Streaming.Demo;

/// <summary>
/// Starts a fake Firecrawl server on 127.0.0.1, then runs <c>fcstream</c> against it as a user would against the
/// real API: <c>fcstream crawl URL</c> starts a crawl and streams it into a Lucene index and a JSON Lines file while
/// it is still scraping, and the new index is searched. Nothing leaves the machine and no account is needed.
/// </summary>
public static class DemoRun
{
    public const int DefaultPages = 3000;
    public const string DefaultOut = "fcstream-demo";
    private const string Query = "pipeline AND sink";
    private const string Site = "https://docs.example.com";

    /// <summary>Parses <c>[--pages N] [--out DIR]</c> and runs the demo on the process's console.</summary>
    public static async Task<int> RunConsoleAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        int pages = DefaultPages;
        string output = DefaultOut;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--pages" when int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 1_000_000:
                    pages = n;
                    break;
                case "--out":
                    output = args[i + 1];
                    break;
                default:
                    Console.Error.WriteLine("usage: dotnet run --project samples/Firecrawl.Streaming.Demo -- [--pages 1..1000000] [--out DIR]");
                    return 2;
            }
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return await RunAsync(pages, output, Console.Out, Console.Error, cancel.Token).ConfigureAwait(false);
    }

    /// <summary>Runs the demo: <paramref name="pages"/> generated pages into <paramref name="directory"/>; returns fcstream's exit code.</summary>
    public static async Task<int> RunAsync(int pages, string directory, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        // The site has as many pages as asked for; a started crawl is reported as scraping for a while, so the
        // display shows it growing while the pages already arrive.
        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(
            new FakeServerOptions
            {
                CrawlSiteSize = pages,
                StartedJobOptions = () => new FakeJobOptions { PageLimit = 100, ScrapingRequests = Math.Clamp(pages / 100, 2, 30) },
            },
            cancellationToken).ConfigureAwait(false);
        double megabytes = pages * Enumerable.Range(0, 8).Average(i => FakePageGenerator.Page(i, seed: 2026).Length) / 1_048_576d;
        stderr.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Demo: a fake Firecrawl server at {server.BaseAddress} will crawl a generated site of {pages:N0} pages (about {megabytes:0} MB). No account or network is used."));
        stderr.WriteLine($"Running: fcstream crawl {Site} --limit {pages} --to lucene:... --to jsonl:...");
        stderr.Flush();

        string index = Path.Combine(directory, "index");
        string jsonl = Path.Combine(directory, "pages.jsonl");
        var environment = new Dictionary<string, string?> { ["FIRECRAWL_API_KEY"] = server.ApiKey };
        int exit = await FcstreamApp.RunAsync(
            ["crawl", Site, "--limit", pages.ToString(CultureInfo.InvariantCulture), "--api-url", server.BaseAddress.ToString(), "--to", $"lucene:{index}", "--to", $"jsonl:{jsonl}", "--poll-interval", "150ms", "--checkpoint-every", "1000"],
            stdout,
            stderr,
            environment,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (exit != 0)
        {
            return exit;
        }

        stdout.WriteLine();
        stdout.WriteLine($"Searching the new index for {Query}:");
        stdout.Flush();
        exit = await FcstreamApp.RunAsync(["search", index, Query, "--top", "3"], stdout, stderr, environment, cancellationToken: cancellationToken).ConfigureAwait(false);
        stdout.WriteLine();
        stdout.WriteLine("Search it yourself:");
        stdout.WriteLine($"  dotnet run --project src/Firecrawl.Streaming.Cli -- search {Quote(index)} \"channel OR backpressure\" --top 5");
        stdout.WriteLine($"The pages, one JSON object per line, are in {jsonl}.");
        stdout.Flush();
        return exit;
    }

    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"\"{path}\"" : path;
}
