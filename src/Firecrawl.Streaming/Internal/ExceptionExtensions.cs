using System.Diagnostics.CodeAnalysis;

namespace Firecrawl.Streaming;

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
