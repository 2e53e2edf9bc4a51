using System.Globalization;
using Firecrawl.Streaming.Pipeline;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Firecrawl.Streaming.Cli.Progress;

/// <summary>
/// A live display on a terminal's standard error, redrawn a few times a second: pages delivered of the job's
/// total with a bar, job status, MB received, pages/s, and per sink its queue depth and pages written. The
/// summary is a table. Standard output stays free for results.
/// </summary>
internal sealed class AnimatedDisplay : IRunDisplay
{
    private static readonly TimeSpan Redraw = TimeSpan.FromMilliseconds(200);
    private readonly IAnsiConsole _console;

    /// <param name="error">Standard error.</param>
    /// <param name="detectAnsi">Whether to ask the process's terminal what it supports.</param>
    /// <param name="colour">False under <c>NO_COLOR</c>: the display still animates (cursor moves), without colour.</param>
    public AnimatedDisplay(TextWriter error, bool detectAnsi, bool colour = true)
    {
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(error),
            Ansi = detectAnsi ? AnsiSupport.Detect : AnsiSupport.Yes,
            ColorSystem = !colour ? ColorSystemSupport.NoColors : detectAnsi ? ColorSystemSupport.Detect : ColorSystemSupport.Standard,
            Interactive = InteractionSupport.Yes,
        });
    }

    public TimeSpan ProgressInterval => TimeSpan.FromMilliseconds(250);

    public async Task<T> ShowAsync<T>(RunMonitor monitor, Func<Task<T>> run)
    {
        Task<T> running = run();
        await _console.Live(Render(monitor.Snapshot()))
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .StartAsync(async context =>
            {
                // The pipeline reports on its own timer; redrawing on ours keeps the rate and MB moving between reports.
                while (!running.IsCompleted)
                {
                    context.UpdateTarget(Render(monitor.Snapshot()));
                    await Task.WhenAny(running, Task.Delay(Redraw)).ConfigureAwait(false);
                }

                context.UpdateTarget(Render(monitor.Snapshot()));
            }).ConfigureAwait(false);
        return await running.ConfigureAwait(false);
    }

    public void Summary(RunReport report)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Summary[/]");
        table.AddColumn("Sink");
        table.AddColumn(new TableColumn("Pages").RightAligned());
        table.AddColumn(new TableColumn("MB").RightAligned());
        table.AddColumn(new TableColumn("Time").RightAligned());
        table.AddColumn(new TableColumn("Pages/s").RightAligned());
        foreach (SinkResult sink in report.Result.Sinks)
        {
            double seconds = Math.Max(sink.Elapsed.TotalSeconds, 1e-3);
            table.AddRow(
                Markup.Escape(sink.Name),
                Number(sink.PagesWritten),
                (sink.BytesWritten / 1_048_576d).ToString("0.0", CultureInfo.InvariantCulture),
                sink.Elapsed.TotalSeconds.ToString("0.0 s", CultureInfo.InvariantCulture),
                (sink.PagesWritten / seconds).ToString("N0", CultureInfo.InvariantCulture));
        }

        _console.Write(table);
        _console.MarkupLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Job [bold]{Markup.Escape(report.JobId)}[/]: {report.MegabytesReceived:0.0} MB received in {report.Chunks:N0} chunks in {report.Elapsed.TotalSeconds:0.0} s{(report.DuplicatesDropped > 0 ? $", {report.DuplicatesDropped:N0} duplicates dropped" : string.Empty)}{(report.Coverage.Repaired > 0 ? $", {report.Coverage.Repaired:N0} repaired" : string.Empty)}{(report.Coverage.DeadLettered > 0 ? $", {report.Coverage.DeadLettered:N0} dead-lettered" : string.Empty)}."));
        string colour = report.Reconciliation.Matches ? "green" : "yellow";
        _console.MarkupLine($"[{colour}]{Markup.Escape(report.Reconciliation.Sentence)}[/]");
        foreach (FailedUrl failed in report.Reconciliation.Failed)
        {
            _console.MarkupLine($"  [red]✗[/] {Markup.Escape(failed.Url)} [grey]— {Markup.Escape(failed.Reason)}[/]");
        }

        if (report.Reconciliation.FailedNotShown > 0)
        {
            _console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"  [grey]… and {report.Reconciliation.FailedNotShown:N0} more[/]"));
        }
    }

    private static Rows Render(RunSnapshot snapshot)
    {
        double fraction = snapshot.Total is > 0 ? Math.Clamp(snapshot.Pages / (double)snapshot.Total.Value, 0, 1) : 0;
        string total = snapshot.Total is long t ? Number(t) : "?";
        string status = snapshot.Status switch
        {
            "completed" => "[green]completed[/]",
            "scraping" => "[yellow]scraping[/]",
            "failed" or "cancelled" => $"[red]{snapshot.Status}[/]",
            _ => $"[grey]{Markup.Escape(snapshot.Status)}[/]",
        };
        var header = new Markup(string.Create(
            CultureInfo.InvariantCulture,
            $"[bold]{Markup.Escape(snapshot.JobId)}[/]  {status}  [bold]{Number(snapshot.Pages)}[/] / {total} pages  {Bar(fraction)} {fraction * 100:0}%"));
        var detail = new Markup(string.Create(
            CultureInfo.InvariantCulture,
            $"[grey]{snapshot.MegabytesReceived:0.0} MB received · {snapshot.Chunks:N0} chunks · {snapshot.PagesPerSecond:N0} pages/s · {snapshot.Elapsed:m\\:ss}[/]"));

        var sinks = new Table().Border(TableBorder.Simple);
        sinks.AddColumn("Sink");
        sinks.AddColumn(new TableColumn("Written").RightAligned());
        sinks.AddColumn(new TableColumn("Queue").RightAligned());
        sinks.AddColumn(new TableColumn("Pages/s").RightAligned());
        foreach (SinkProgress sink in snapshot.Sinks)
        {
            sinks.AddRow(Markup.Escape(sink.Name), Number(sink.PagesWritten), Number(sink.QueueDepth), sink.PagesPerSecond.ToString("N0", CultureInfo.InvariantCulture));
        }

        return new Rows(new IRenderable[] { header, detail, sinks });
    }

    private static string Bar(double fraction)
    {
        const int Width = 24;
        int filled = (int)Math.Round(fraction * Width);
        return $"[green]{new string('━', filled)}[/][grey]{new string('━', Width - filled)}[/]";
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
