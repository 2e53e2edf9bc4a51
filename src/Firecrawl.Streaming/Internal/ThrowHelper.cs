using System.Diagnostics.CodeAnalysis;

namespace Firecrawl.Streaming;

/// <summary>Keeps the code that builds exceptions out of the parser's hot paths.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static T ThrowObjectDisposed<T>(object instance) =>
        throw new ObjectDisposedException(instance.GetType().Name, "The page was disposed and its buffer returned to the pool.");

    [DoesNotReturn]
    public static void ThrowMalformed(string message, long byteOffset, Exception? inner = null) =>
        throw new FirecrawlException(
            $"The response body is not valid batch-status JSON at byte offset {byteOffset}: {message}",
            FirecrawlErrorCode.MalformedResponse,
            inner)
        { ByteOffset = byteOffset };

    [DoesNotReturn]
    public static void ThrowPageTooLarge(long pageStartOffset, long bufferedBytes, int maxPageBytes) =>
        throw new FirecrawlException(
            $"A page starting at byte offset {pageStartOffset} is larger than the configured maximum of {maxPageBytes:N0} bytes " +
            $"({bufferedBytes:N0} bytes buffered so far). Raise FirecrawlClientOptions.MaxPageBytes to accept it.",
            FirecrawlErrorCode.PageTooLarge)
        { ByteOffset = pageStartOffset };

    [DoesNotReturn]
    public static void ThrowNotJson(long byteOffset, string preview) =>
        throw new FirecrawlException(
            $"The response body is not JSON (byte offset {byteOffset} starts with \"{preview}\"); a proxy or gateway may have answered instead of the API.",
            FirecrawlErrorCode.NotJson)
        { ByteOffset = byteOffset };
}

/// <summary>Rethrowing a caught exception from an expression, keeping its stack trace.</summary>
internal static class ExceptionExtensions
{
    [DoesNotReturn]
    public static Exception Rethrow(this Exception exception)
    {
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(exception);
        return exception;
    }
}
