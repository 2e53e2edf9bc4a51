using System.Runtime.ExceptionServices;

namespace Firecrawl.Streaming.Sinks.AzureBlobs;

/// <summary>
/// Runs uploads in the background, at most a fixed number at once, and remembers their failures until the next
/// <see cref="WaitAllAsync"/>, which is how a flush learns whether everything written reached storage.
/// </summary>
internal sealed class UploadTracker : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly int _capacity;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _lock = new();
    private readonly List<Task> _running = [];
    private readonly List<Exception> _errors = [];

    public UploadTracker(int maxConcurrency)
    {
        _capacity = maxConcurrency;
        _slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
    }

    /// <summary>
    /// Waits for a free slot (the back-pressure that keeps a fast crawl from queueing unbounded uploads), then starts
    /// the upload and returns. The upload runs until it ends or the tracker is disposed, not until
    /// <paramref name="cancellationToken"/> is cancelled: that token belongs to the write that started it.
    /// </summary>
    public async ValueTask StartAsync(Func<CancellationToken, Task> upload, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        Task task;
        try
        {
            task = RunAsync(upload);
        }
        catch
        {
            _slots.Release();
            throw;
        }

        lock (_lock)
        {
            if (_running.Count >= 4 * _capacity)
            {
                _running.RemoveAll(t => t.IsCompleted);
            }

            _running.Add(task);
        }
    }

    /// <summary>
    /// Waits for every upload started so far, then throws what failed since the last call (one exception as itself,
    /// several as an <see cref="AggregateException"/>) and forgets it.
    /// </summary>
    public async ValueTask WaitAllAsync(CancellationToken cancellationToken)
    {
        Task[] running;
        lock (_lock)
        {
            running = [.. _running];
        }

        // Uploads never fault (RunAsync records failures), so this only ends early when the caller cancels.
        await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(false);

        Exception[] errors;
        lock (_lock)
        {
            _running.RemoveAll(t => t.IsCompleted);
            errors = [.. _errors];
            _errors.Clear();
        }

        if (errors.Length == 1)
        {
            ExceptionDispatchInfo.Throw(errors[0]);
        }

        if (errors.Length > 1)
        {
            throw new AggregateException("Several uploads failed.", errors);
        }
    }

    /// <summary>Cancels the uploads still running and waits for them to stop; their failures are dropped.</summary>
    public async ValueTask CancelAllAsync()
    {
        await _lifetime.CancelAsync().ConfigureAwait(false);
        Task[] running;
        lock (_lock)
        {
            running = [.. _running];
            _running.Clear();
            _errors.Clear();
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _lifetime.Dispose();
        _slots.Dispose();
    }

    private async Task RunAsync(Func<CancellationToken, Task> upload)
    {
        try
        {
            // Off the writer's thread at once, so a write only pays for starting its uploads.
            await Task.Yield();
            await upload(_lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            lock (_lock)
            {
                _errors.Add(e);
            }
        }
        finally
        {
            _slots.Release();
        }
    }
}
