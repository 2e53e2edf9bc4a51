using Firecrawl.Streaming.Cli.Errors;
using Microsoft.Extensions.Logging;

namespace Firecrawl.Streaming.Cli.Running;

/// <summary>Writes warnings and errors of the receiver and Kestrel to standard error as <c>warning: …</c> lines, redacted.</summary>
internal sealed class ErrorLoggerProvider(TextWriter error, Redactor redactor) : ILoggerProvider
{
    private readonly Lock _lock = new();

    public ILogger CreateLogger(string categoryName) => new RedactingLogger(this);

    public void Dispose()
    {
    }

    private void Write(LogLevel level, string message)
    {
        lock (_lock)
        {
            error.WriteLine($"{(level >= LogLevel.Error ? "error" : "warning")}: {redactor.Redact(message)}");
            error.Flush();
        }
    }

    private sealed class RedactingLogger(ErrorLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, formatter(state, exception));
            }
        }
    }
}
