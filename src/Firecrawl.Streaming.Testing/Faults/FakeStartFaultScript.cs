namespace Firecrawl.Streaming.Testing;

/// <summary>The faults scripted for start requests; each is used by the next start it matches, then dropped.</summary>
public sealed class FakeStartFaultScript
{
    private readonly ScriptedQueue<FakeStartFault, FakeJobKind> _faults = new();

    /// <summary>Gets the number of faults not yet used.</summary>
    public int Count => _faults.Count;

    /// <summary>Adds a fault for the next start (or the next start of a job of <paramref name="kind"/>).</summary>
    /// <param name="fault">The fault.</param>
    /// <param name="kind">Only a start of this kind triggers it; null for any.</param>
    /// <returns>This queue, for chaining.</returns>
    public FakeStartFaultScript Enqueue(FakeStartFault fault, FakeJobKind? kind = null)
    {
        _faults.Add(fault, kind);
        return this;
    }

    internal FakeStartFault? Take(FakeJobKind kind) => _faults.Take(kind);
}
