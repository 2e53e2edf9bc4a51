namespace Firecrawl.Streaming.Cli.Errors;

/// <summary>
/// Turns any exception that ends a command into one sentence and an exit code. Users see the sentence, never
/// a stack trace: the sentence says what failed and, where the server said why, its words.
/// </summary>
internal static class ErrorReporter
{
    private const int MaxServerText = 300;

    public static (int ExitCode, string Sentence) Describe(Exception error, CancellationToken cancellationToken)
    {
        switch (error)
        {
            case CliException cli:
                return (cli.ExitCode, Sentence(cli.Message));
            case SinkFailedException sink:
                return (ExitCodes.Sink, Sentence($"The sink {sink.SinkName} failed: {Innermost(sink.InnerException!)}"));
            case FirecrawlApiException api:
                return DescribeApi(api);
            case JobStreamException { ErrorCode: JobStreamErrorCode.Incomplete } incomplete:
                return (ExitCodes.Incomplete, Sentence(FirstLine(incomplete.Message)));
            case JobStreamException stream:
                return (ExitCodes.Api, Sentence(FirstLine(stream.Message)));
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                return (ExitCodes.Cancelled, "Cancelled.");
            default:
                return (ExitCodes.Unexpected, Sentence($"Unexpected error ({error.GetType().Name}): {FirstLine(error.Message)}"));
        }
    }

    /// <summary>An argument exception's message without the " (Parameter 'name')" that .NET appends, which means nothing to a user.</summary>
    public static string WithoutParameter(ArgumentException error) =>
        error.ParamName is { } name ? error.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : error.Message;

    /// <summary>Makes <paramref name="text"/> one line that ends like a sentence.</summary>
    public static string Sentence(string text)
    {
        string line = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Trim();
        if (line.Length == 0)
        {
            return "The command failed.";
        }

        return line[^1] is '.' or '!' or '?' ? line : line + ".";
    }

    private static (int, string) DescribeApi(FirecrawlApiException api)
    {
        string server = api.ServerError is { Length: > 0 } text ? ": " + Trim(text.TrimEnd('.')) : string.Empty;
        string? job = api.JobId;
        string origin = api.RequestUri?.GetLeftPart(UriPartial.Authority) ?? "the Firecrawl API";
        return api.ErrorCode switch
        {
            JobStreamErrorCode.Transport => (ExitCodes.Unreachable, Sentence($"Could not reach the Firecrawl API at {origin}: {Innermost(api)}")),
            JobStreamErrorCode.RequestFailed => (ExitCodes.Api, Sentence($"Job {job ?? "?"} failed on the server{server}")),
            JobStreamErrorCode.HttpError => (ExitCodes.Api, Sentence(api.Status switch
            {
                401 => $"The Firecrawl API rejected the API key (HTTP 401{server})",
                402 => $"The Firecrawl API asks for payment (HTTP 402{server})",
                403 => $"The Firecrawl API refused access (HTTP 403{server})",
                404 => $"Job {job ?? "?"} was not found or has expired (HTTP 404{server})",
                429 => $"The Firecrawl API's rate limit was still exceeded when the retries ran out (HTTP 429{server})",
                _ => $"The Firecrawl API answered HTTP {api.Status}{server}",
            })),
            _ => (ExitCodes.Api, Sentence(FirstLine(api.Message))),
        };
    }

    /// <summary>The root cause's message: "Connection refused" says more than "the request failed after 0 retries".</summary>
    private static string Innermost(Exception error)
    {
        Exception root = error;
        while (root.InnerException is { } inner)
        {
            root = inner;
        }

        return Trim(FirstLine(root.Message).TrimEnd('.'));
    }

    private static string FirstLine(string text)
    {
        int end = text.IndexOfAny(['\r', '\n']);
        return (end < 0 ? text : text[..end]).Trim();
    }

    private static string Trim(string text) => text.Length <= MaxServerText ? text : text[..MaxServerText] + "…";
}
