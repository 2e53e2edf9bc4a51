using System.Net;
using System.Net.Sockets;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Firecrawl.Streaming.Tests.Sinks;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary>
/// Every way <c>batch</c> can fail ends with its own exit code and exactly one sentence on stderr: no stack
/// trace, no exception type, and never the key.
/// </summary>
public sealed class BatchErrorTests : FakeServerTestBase, IDisposable
{
    private const string SecretKey = "fc-secret-0123456789abcdef";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string Jsonl => "jsonl:" + _directory.Combine("pages.jsonl");

    private Dictionary<string, string?> Environment(string? key = null) => new() { ["FIRECRAWL_API_KEY"] = key ?? Server.ApiKey };

    private string[] Batch(string jobId, params string[] more) =>
        ["batch", jobId, "--api-url", Server.BaseAddress.ToString(), "--max-retries", "0", .. more];

    [Fact]
    public async Task Batch_UnknownSinkScheme_ExitsTwoNamingTheScheme()
    {
        CliResult result = await CliRun.RunAsync(Batch("job-1", "--to", "s3:bucket"), Environment(), Ct);

        result.AssertOneSentenceError(2);
        Assert.Contains("unknown sink scheme \"s3\"", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task Batch_BadFields_ExitsTwoListingTheFields()
    {
        CliResult result = await CliRun.RunAsync(Batch("job-1", "--to", Jsonl, "--fields", "markdown,pictures"), Environment(), Ct);

        result.AssertOneSentenceError(2);
        Assert.Contains("\"pictures\"", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("rawHtml", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_NoSink_ExitsTwoSayingToIsRequired()
    {
        CliResult result = await CliRun.RunAsync(Batch("job-1"), Environment(), Ct);

        result.AssertOneSentenceError(2);
        Assert.Contains("'--to' is required", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--poll-interval", "soon", "not a duration")]
    [InlineData("--max-retries", "-1", "at least 0")]
    [InlineData("--api-url", "ftp://example.com", "not an http or https URL")]
    [InlineData("--checkpoint-every", "0", "at least 1")]
    public async Task Batch_BadOptionValue_ExitsTwoNamingTheOption(string option, string value, string expected)
    {
        string[] args = ["batch", "job-1", "--to", Jsonl, option, value];

        CliResult result = await CliRun.RunAsync(args, Environment(), Ct);

        result.AssertOneSentenceError(2);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_BlobSinkWithoutConnectionString_ExitsTwoNamingBothWays()
    {
        FakeJob job = Server.AddJob(Pages(3));

        CliResult result = await CliRun.RunAsync(Batch(job.Id, "--to", "blob:pages"), Environment(), Ct);

        result.AssertOneSentenceError(2);
        Assert.Contains("--blob-connection or set AZURE_STORAGE_CONNECTION_STRING", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_MissingKey_ExitsTwoNamingTheVariable()
    {
        CliResult result = await CliRun.RunAsync(Batch("job-1", "--to", Jsonl), new Dictionary<string, string?>(), Ct);

        result.AssertOneSentenceError(2);
        Assert.Equal("error: No Firecrawl API key: pass --api-key or set FIRECRAWL_API_KEY.", result.StderrLines[0]);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task Batch_UnreachableApi_ExitsFiveSayingItCouldNotConnect()
    {
        int port = ClosedPort();

        CliResult result = await CliRun.RunAsync(
            ["batch", "job-1", "--to", Jsonl, "--api-url", $"http://127.0.0.1:{port}", "--max-retries", "0", "--api-key", SecretKey],
            cancellationToken: Ct);

        result.AssertOneSentenceError(5, SecretKey);
        Assert.Contains($"Could not reach the Firecrawl API at http://127.0.0.1:{port}", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_WrongKey_ExitsThreeWithTheServersMessageAndNoKey()
    {
        FakeJob job = Server.AddJob(Pages(3));

        CliResult result = await CliRun.RunAsync(Batch(job.Id, "--to", Jsonl, "--api-key", SecretKey), Environment(), Ct);

        result.AssertOneSentenceError(3, SecretKey);
        Assert.Contains("rejected the API key (HTTP 401", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(Server.Requests, r => r.StatusCode == 401 && r.Authorization == $"Bearer {SecretKey}");
    }

    [Fact]
    public async Task Batch_ExpiredJob_ExitsThreeWithTheServersMessage()
    {
        FakeJob job = Server.AddJob(Pages(3));
        job.Faults.Enqueue(FakeFault.Expired());

        CliResult result = await CliRun.RunAsync(Batch(job.Id, "--to", Jsonl), Environment(), Ct);

        result.AssertOneSentenceError(3, Server.ApiKey);
        Assert.Equal($"error: Job {job.Id} was not found or has expired (HTTP 404: Job expired).", result.StderrLines[0]);
    }

    [Fact]
    public async Task Batch_JsonlPathIsADirectory_ExitsFourNamingTheSink()
    {
        FakeJob job = Server.AddJob(Pages(3));
        string directory = _directory.Combine("taken");
        Directory.CreateDirectory(directory);

        CliResult result = await CliRun.RunAsync(Batch(job.Id, "--to", $"jsonl:{directory}", "--quiet"), Environment(), Ct);

        result.AssertOneSentenceError(4, Server.ApiKey);
        Assert.StartsWith($"error: The sink jsonl:{directory} failed: ", result.StderrLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_UnreadableCheckpoint_ExitsTwoNamingTheFile()
    {
        string checkpoint = _directory.Combine("job.checkpoint");
        await File.WriteAllTextAsync(checkpoint, "not a checkpoint", Ct);

        CliResult result = await CliRun.RunAsync(Batch("job-1", "--to", Jsonl, "--checkpoint", checkpoint), Environment(), Ct);

        result.AssertOneSentenceError(2);
        Assert.Contains(checkpoint, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_CheckpointOfAnotherJob_ExitsTwoNamingTheFile()
    {
        FakeJob first = Server.AddJob(Pages(30), new FakeJobOptions { PageLimit = 10 });
        FakeJob second = Server.AddJob(Pages(30));
        string checkpoint = _directory.Combine("shared.checkpoint");
        CliResult done = await CliRun.RunAsync(Batch(first.Id, "--to", Jsonl, "--checkpoint", checkpoint, "--checkpoint-every", "5", "-q"), Environment(), Ct);
        int requests = Server.Requests.Count;

        CliResult result = await CliRun.RunAsync(Batch(second.Id, "--to", "jsonl:" + _directory.Combine("other.jsonl"), "--checkpoint", checkpoint), Environment(), Ct);

        Assert.True(done.ExitCode == 0, done.Stderr);
        result.AssertOneSentenceError(2, Server.ApiKey);
        Assert.Contains($"The checkpoint {checkpoint} cannot resume batch scrape {second.Id}", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(requests, Server.Requests.Count);
    }

    [Fact]
    public async Task Run_UnknownCommand_ExitsTwo()
    {
        CliResult result = await CliRun.RunAsync(["frobnicate", "job-1"], cancellationToken: Ct);

        result.AssertOneSentenceError(2);
        Assert.Contains("'frobnicate'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NoCommand_ExitsTwo()
    {
        CliResult result = await CliRun.RunAsync([], cancellationToken: Ct);

        result.AssertOneSentenceError(2);
    }

    [Fact]
    public async Task Run_MistypedSecretArgument_NeverEchoesTheKey()
    {
        // The parser quotes unexpected tokens; a key given twice must still not reach the terminal.
        CliResult result = await CliRun.RunAsync(["batch", "job-1", "--to", Jsonl, "--api-key", SecretKey, SecretKey], Environment(), Ct);

        result.AssertOneSentenceError(2, SecretKey);
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
