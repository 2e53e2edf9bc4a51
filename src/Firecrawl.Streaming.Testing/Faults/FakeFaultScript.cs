namespace Firecrawl.Streaming.Testing;

/// <summary>The faults scripted for one job; each is used by the next status request it matches, then dropped.</summary>
public sealed class FakeFaultScript
{
    private readonly ScriptedQueue<FakeFault, long> _faults = new();

    /// <summary>Gets the number of faults not yet used.</summary>
    public int Count => _faults.Count;

    /// <summary>Adds a fault for the next request (or the next request at <paramref name="atSkip"/>).</summary>
    /// <param name="fault">The fault.</param>
    /// <param name="atSkip">Only a request with this <c>skip</c> triggers it; null for any.</param>
    /// <returns>This queue, for chaining.</returns>
    public FakeFaultScript Enqueue(FakeFault fault, long? atSkip = null)
    {
        _faults.Add(fault, atSkip);
        return this;
    }

    internal FakeFault? Take(long skip) => _faults.Take(skip);
}
