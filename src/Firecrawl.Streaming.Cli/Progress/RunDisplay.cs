using System.Globalization;
using Firecrawl.Streaming.Pipeline;
using Spectre.Console;

namespace Firecrawl.Streaming.Cli;

/// <summary>
/// What a run shows on standard error: a live table on a terminal, otherwise (standard error redirected, or the
/// pages going to standard output) plain, parseable <c>progress key=value ...</c> lines; nothing with --quiet.
/// </summary>
internal sealed class RunDisplay : IProgress<PipelineProgress>
{
    private readonly TextWriter _stderr;
    private readonly IAnsiConsole? _console;
    private readonly bool _quiet;
    private readonly string _jobId;
    private PipelineProgress? _latest;

    public RunDisplay(TextWriter stderr, bool interactive, bool quiet, string jobId)
    {
        _stderr = stderr;
        _quiet = quiet;
        _jobId = jobId;
        if (interactive && !quiet)
        {
            _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stderr), Interactive = InteractionSupport.Yes });
        }
    }

    public PipelineProgress? Latest => Volatile.Read(ref _latest);

    public void Report(PipelineProgress value)
    {
        Volatile.Write(ref _latest, value);
        if (_console is null && !_quiet && !value.IsFinal)
        {
            _stderr.WriteLine(PlainLine(value));
        }
    }

    /// <summary>Runs <paramref name="work"/> under the live display (when there is one).</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> work)
    {
        if (_console is null)
        {
            return await work();
        }

        T result = default!;
        await _console.Live(Render(null)).AutoClear(false).StartAsync(async context =>
        {
            Task<T> running = work();
            while (!running.IsCompleted)
            {
                context.UpdateTarget(Render(Latest));
                await Task.WhenAny(running, Task.Delay(250));
            }

            context.UpdateTarget(Render(Latest));
            result = await running;
        });
        return result;
    }

    public void Summary(PipelineResult result, string reconciliation)
    {
        if (_quiet)
        {
            return;
        }

        if (_console is null)
        {
            foreach (SinkResult sink in result.Sinks)
            {
                _stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sink name={sink.Name} pages={sink.PagesWritten} bytes={sink.BytesWritten} seconds={sink.Elapsed.TotalSeconds:0.00}"));
            }

            _stderr.WriteLine(reconciliation);
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Summary[/]");
        table.AddColumns("Sink", "Pages", "MB", "Time", "Pages/s");
        foreach (SinkResult sink in result.Sinks)
        {
            double seconds = Math.Max(sink.Elapsed.TotalSeconds, 0.001);
            table.AddRow(
                Markup.Escape(sink.Name),
                sink.PagesWritten.ToString("N0", CultureInfo.InvariantCulture),
                (sink.BytesWritten / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture),
                $"{sink.Elapsed.TotalSeconds:0.0} s",
                (sink.PagesWritten / seconds).ToString("N0", CultureInfo.InvariantCulture));
        }

        _console.Write(table);
        _console.MarkupLine(Markup.Escape(reconciliation));
    }

    public void Line(string text)
    {
        if (!_quiet)
        {
            _stderr.WriteLine(text);
        }
    }

    internal static string PlainLine(PipelineProgress p)
    {
        double seconds = Math.Max(p.Elapsed.TotalSeconds, 0.001);
        string sinks = string.Join(' ', p.Sinks.Select(s => $"{s.Name}={s.PagesWritten}/q{s.QueueDepth}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"progress pages={p.PagesRead} total={p.JobStatus?.Total.ToString(CultureInfo.InvariantCulture) ?? "?"} status={p.JobStatus?.Status ?? "starting"} mb={p.BytesRead / 1048576.0:0.0} rate={p.PagesRead / seconds:0}/s {sinks}");
    }

    private Table Render(PipelineProgress? p)
    {
        var table = new Table().Border(TableBorder.Rounded).Expand();
        string total = p?.JobStatus is { } status ? status.Total.ToString("N0", CultureInfo.InvariantCulture) : "?";
        double seconds = Math.Max(p?.Elapsed.TotalSeconds ?? 0, 0.001);
        table.Title($"[bold]fcstream[/] job [cyan]{Markup.Escape(_jobId)}[/]");
        table.AddColumns("Sink", "Written", "Queue", "Pages/s", "MB");
        foreach (SinkProgress sink in p?.Sinks ?? [])
        {
            table.AddRow(
                Markup.Escape(sink.Name),
                sink.PagesWritten.ToString("N0", CultureInfo.InvariantCulture),
                sink.QueueDepth.ToString(CultureInfo.InvariantCulture),
                sink.PagesPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                (sink.BytesWritten / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture));
        }

        table.Caption(string.Create(CultureInfo.InvariantCulture,
            $"{p?.PagesRead ?? 0:N0} of {total} pages · {Markup.Escape(p?.JobStatus?.Status ?? "starting")} · {(p?.BytesRead ?? 0) / 1048576.0:0.0} MB · {(p?.PagesRead ?? 0) / seconds:N0} pages/s"));
        return table;
    }
}
