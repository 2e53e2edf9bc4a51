using System.Diagnostics.CodeAnalysis;

namespace Firecrawl.Streaming;

/// <summary>Keeps the code that builds exceptions out of the parser's hot paths.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowMalformed(string message, long byteOffset, Exception? inner = null) =>
        throw new JobStreamException(
            $"The response body is not valid batch-status JSON at byte offset {byteOffset}: {message}",
            JobStreamErrorCode.MalformedResponse,
            inner)
        { ByteOffset = byteOffset };

    [DoesNotReturn]
    public static void ThrowPageTooLarge(long pageStartOffset, long bufferedBytes, int maxPageBytes) =>
        throw new JobStreamException(
            $"A page starting at byte offset {pageStartOffset} is larger than the configured maximum of {maxPageBytes:N0} bytes " +
            $"({bufferedBytes:N0} bytes buffered so far). Raise the maximum page size (FirecrawlJobClientOptions.MaxPageBytes) to accept it.",
            JobStreamErrorCode.PageTooLarge)
        { ByteOffset = pageStartOffset };

    [DoesNotReturn]
    public static void ThrowNotJson(long byteOffset, string preview) =>
        throw new JobStreamException(
            $"The response body is not JSON (byte offset {byteOffset} starts with \"{preview}\"); a proxy or gateway may have answered instead of the API.",
            JobStreamErrorCode.NotJson)
        { ByteOffset = byteOffset };
}
