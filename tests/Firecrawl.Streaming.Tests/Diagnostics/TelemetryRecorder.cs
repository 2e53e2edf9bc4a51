using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Firecrawl.Streaming.Tests.Diagnostics;

/// <summary>
/// What a test's code logged (a fake logger), traced (an activity listener: spans are process-wide, so tests pick
/// theirs by their own ids) and measured (a meter factory of its own, so no other test's measurements mix in).
/// </summary>
public sealed class TelemetryRecorder : IDisposable
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;
    private readonly ServiceProvider _services;

    public TelemetryRecorder()
    {
        Logs = new FakeLogCollector();
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(Logs)));
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        MeterFactory = _services.GetRequiredService<IMeterFactory>();
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is FirecrawlStreamingDiagnostics.ActivitySourceName or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public FakeLogCollector Logs { get; }

    public ILoggerFactory LoggerFactory { get; }

    public IMeterFactory MeterFactory { get; }

    public IReadOnlyList<FakeLogRecord> Events(int id) => [.. Logs.GetSnapshot().Where(r => r.Id.Id == id)];

    public IEnumerable<Activity> Spans(string name) => _spans.Where(s => s.OperationName == name);

    public void Dispose()
    {
        _listener.Dispose();
        LoggerFactory.Dispose();
        _services.Dispose();
    }
}
