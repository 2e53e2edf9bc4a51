namespace Firecrawl.Streaming.Testing;

/// <summary>
/// The queue behind every fault script: faults in the order they were added, each with an optional condition (the
/// cursor, the kind of job) that a request must match; the first match is taken and dropped. Thread-safe, since
/// Kestrel serves requests concurrently.
/// </summary>
/// <typeparam name="TFault">The kind of fault.</typeparam>
/// <typeparam name="TWhen">What a request must match; a null condition matches any request.</typeparam>
internal sealed class ScriptedQueue<TFault, TWhen>
    where TFault : class
    where TWhen : struct
{
    private readonly List<(TFault Fault, TWhen? When)> _faults = [];

    public int Count
    {
        get
        {
            lock (_faults)
            {
                return _faults.Count;
            }
        }
    }

    public void Add(TFault fault, TWhen? when)
    {
        ArgumentNullException.ThrowIfNull(fault);
        lock (_faults)
        {
            _faults.Add((fault, when));
        }
    }

    public TFault? Take(TWhen request)
    {
        lock (_faults)
        {
            int index = _faults.FindIndex(f => f.When is not TWhen when || EqualityComparer<TWhen>.Default.Equals(when, request));
            if (index < 0)
            {
                return null;
            }

            TFault fault = _faults[index].Fault;
            _faults.RemoveAt(index);
            return fault;
        }
    }
}
