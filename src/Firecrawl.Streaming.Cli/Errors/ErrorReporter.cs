using Azure;

namespace Firecrawl.Streaming.Cli;

/// <summary>Turns any failure into one clear sentence on standard error and an exit code; never a stack trace.</summary>
internal static class ErrorReporter
{
    public static int Report(Exception error, TextWriter stderr, string? apiKey)
    {
        (string sentence, int code) = Describe(error);
        // A key too short to be real would blank out ordinary words.
        if (apiKey is { Length: >= 8 })
        {
            sentence = sentence.Replace(apiKey, "***", StringComparison.Ordinal);
        }

        stderr.WriteLine($"fcstream: {sentence}");
        return code;
    }

    private static (string Sentence, int Code) Describe(Exception error) => error switch
    {
        CliException cli => (cli.Message, cli.ExitCode),
        FirecrawlException { Status: 401 } => ("The Firecrawl API rejected the API key (401); check --api-key or FIRECRAWL_API_KEY.", ExitCodes.Api),
        FirecrawlException { Status: 404, ServerError: string text } => ($"The Firecrawl API answered 404: {text}.", ExitCodes.Api),
        FirecrawlException { ErrorCode: FirecrawlErrorCode.Transport } e => ($"The Firecrawl API could not be reached at {e.RequestUri?.GetLeftPart(UriPartial.Authority)}: {Inner(e)}", ExitCodes.Api),
        FirecrawlException e => (e.Message, ExitCodes.Api),
        ArgumentException e when e.Message.Contains("API key", StringComparison.Ordinal) => ("No Firecrawl API key: pass --api-key or set FIRECRAWL_API_KEY.", ExitCodes.Usage),
        ArgumentException e => (e.Message, ExitCodes.Usage),
        RequestFailedException e => ($"A sink failed: Azure Storage answered {e.Status} ({e.ErrorCode}).", ExitCodes.Sink),
        IOException or UnauthorizedAccessException or InvalidDataException => ($"A sink failed: {error.Message}", ExitCodes.Sink),
        _ => ($"A sink failed: {error.Message}", ExitCodes.Sink),
    };

    private static string Inner(Exception error)
    {
        Exception root = error;
        while (root.InnerException is not null)
        {
            root = root.InnerException;
        }

        return root.Message.TrimEnd('.') + ".";
    }
}
