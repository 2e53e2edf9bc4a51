using System.Diagnostics;
using System.Text;

namespace Firecrawl.Streaming.Tests.Infrastructure;

/// <summary>The lines a server process writes to stdout and stderr, kept to quote when it fails to start.</summary>
internal sealed class ProcessOutput
{
    private readonly StringBuilder _lines = new();

    /// <summary>Collects both streams of <paramref name="process"/> (call before it starts; then BeginOutputReadLine/BeginErrorReadLine).</summary>
    public void Capture(Process process)
    {
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
    }

    public void Clear()
    {
        lock (_lines)
        {
            _lines.Clear();
        }
    }

    public override string ToString()
    {
        lock (_lines)
        {
            return _lines.Length == 0 ? "(none)" : _lines.ToString();
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_lines)
            {
                _lines.AppendLine(line);
            }
        }
    }
}
