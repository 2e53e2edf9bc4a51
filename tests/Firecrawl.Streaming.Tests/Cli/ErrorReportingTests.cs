using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.Progress;

namespace Firecrawl.Streaming.Tests.Cli;

/// <summary>Exceptions to sentences and exit codes, secrets out of every message, and the reconciliation sentence.</summary>
public sealed class ErrorReportingTests
{
    private static readonly Uri JobUri = new("https://api.example.com/v2/batch/scrape/job-42?skip=100");

    [Theory]
    [InlineData(401, "Invalid token", 3, "The Firecrawl API rejected the API key (HTTP 401: Invalid token).")]
    [InlineData(404, "Job expired", 3, "Job job-42 was not found or has expired (HTTP 404: Job expired).")]
    [InlineData(402, null, 3, "The Firecrawl API asks for payment (HTTP 402).")]
    [InlineData(500, "Boom.", 3, "The Firecrawl API answered HTTP 500: Boom.")]
    public void Describe_HttpError_GivesApiCodeAndServerWords(int status, string? server, int code, string sentence)
    {
        var error = new FirecrawlApiException("ignored", JobStreamErrorCode.HttpError) { Status = status, ServerError = server, RequestUri = JobUri, JobId = "job-42" };

        (int exitCode, string text) = ErrorReporter.Describe(error, CancellationToken.None);

        Assert.Equal(code, exitCode);
        Assert.Equal(sentence, text);
    }

    [Fact]
    public void Describe_Transport_GivesUnreachableWithTheRootCause()
    {
        var error = new FirecrawlApiException(
            "The request failed after 0 retries: x",
            JobStreamErrorCode.Transport,
            new HttpRequestException("Connection refused (127.0.0.1:9)", new System.Net.Sockets.SocketException(111)))
        { RequestUri = JobUri };

        (int exitCode, string text) = ErrorReporter.Describe(error, CancellationToken.None);

        Assert.Equal(ExitCodes.Unreachable, exitCode);
        Assert.StartsWith("Could not reach the Firecrawl API at https://api.example.com: ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_SinkFailure_GivesSinkCodeNamingTheSink()
    {
        var error = new SinkFailedException("md:./out", new IOException("No space left on device\n   at Somewhere()"));

        (int exitCode, string text) = ErrorReporter.Describe(error, CancellationToken.None);

        Assert.Equal(ExitCodes.Sink, exitCode);
        Assert.Equal("The sink md:./out failed: No space left on device.", text);
    }

    [Fact]
    public void Describe_CancelledToken_GivesOneThirty()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        Assert.Equal(ExitCodes.Cancelled, ErrorReporter.Describe(new OperationCanceledException(cancel.Token), cancel.Token).ExitCode);
    }

    [Fact]
    public void Describe_UnexpectedMultiLineError_GivesOneLine()
    {
        (int exitCode, string text) = ErrorReporter.Describe(new InvalidOperationException("first line\nsecond line"), CancellationToken.None);

        Assert.Equal(ExitCodes.Unexpected, exitCode);
        Assert.Equal("Unexpected error (InvalidOperationException): first line.", text);
    }

    [Fact]
    public void Redact_KeyAndConnectionString_MasksThemAndTheAccountKey()
    {
        var redactor = new Redactor();
        redactor.Add("fc-abcdef123456");
        redactor.Add("DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=c2VjcmV0a2V5==;BlobEndpoint=http://127.0.0.1:1/dev;");

        string text = redactor.Redact("key fc-abcdef123456 and AccountKey=c2VjcmV0a2V5== leaked");

        Assert.Equal("key *** and AccountKey=*** leaked", text);
    }

    [Fact]
    public void Redact_ShortValue_IsLeftAlone()
    {
        var redactor = new Redactor();
        redactor.Add("a");

        Assert.Equal("a cat", redactor.Redact("a cat"));
    }

    [Fact]
    public void ReconciliationCreate_Mismatch_ListsFailedAndRobotsBlockedUrls()
    {
        var status = new JobStatus("completed", 10, 10, 10, null);
        var errors = new JobErrors(
            [new ScrapeFailure("e1", null, "https://a.example/x", "TIMEOUT", "Request timed out")],
            ["https://b.example/private"]);

        Reconciliation result = Reconciliation.Create(new JobCoverage { Kind = JobKind.BatchScrape, JobId = "j", Status = status, Delivered = 8, Errors = errors }, readThisRun: 8);

        Assert.True(result.Matches);
        Assert.Equal("Delivered 8 pages but the job reports 10 completed (status completed); the 2 failed URLs account for the rest:", result.Sentence);
        Assert.Equal([new FailedUrl("https://a.example/x", "Request timed out"), new FailedUrl("https://b.example/private", "blocked by robots.txt")], result.Failed);
    }

    [Fact]
    public void ReconciliationCreate_ResumedWithNothingNew_SaysSo()
    {
        Reconciliation result = Reconciliation.Create(new JobCoverage { Kind = JobKind.BatchScrape, JobId = "j", Status = new JobStatus("completed", 5, 5, 5, null), DeliveredBefore = 5 }, readThisRun: 0);

        Assert.True(result.Matches);
        Assert.StartsWith("No new pages after the checkpoint", result.Sentence, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("jsonl:pages.jsonl", "jsonl:pages.jsonl")]
    [InlineData("md:my pages", "\"md:my pages\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("", "\"\"")]
    public void PlainValue_AwkwardText_StaysOneToken(string text, string expected) =>
        Assert.Equal(expected, PlainDisplay.Value(text));
}
