using Firecrawl.Streaming.Checkpoints;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Sinks;

/// <summary>Crash and resume through the pipeline, against the sink's real backend.</summary>
public abstract partial class PageSinkContractTests
{
    private const int JobPages = 240;

    /// <summary>How a run is killed.</summary>
    public enum Kill
    {
        /// <summary>The run is not killed.</summary>
        None,

        /// <summary>The run's cancellation token is cancelled while the sink is writing.</summary>
        Cancel,

        /// <summary>The sink writes part of a batch to the backend, then throws.</summary>
        ThrowMidBatch,
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Pipeline_KilledAtRandomPointsThenResumed_BackendHoldsEveryPageOnce(int seed)
    {
        await using FakeFirecrawlServer server = await FakeFirecrawlServer.StartAsync(cancellationToken: Ct);
        FakeJob job = server.AddJob(Enumerable.Range(0, JobPages).Select(JobPage), new FakeJobOptions { PageLimit = 35 });
        using var client = new FirecrawlJobClient(server.CreateClientOptions());
        string checkpointDirectory = Path.Combine(Path.GetTempPath(), "fc-contract-" + Guid.NewGuid().ToString("N"));
        ICheckpointStore store = await CreateCheckpointStoreAsync(checkpointDirectory);
        var random = new Random(seed);
        var kills = new List<string>();
        try
        {
            for (int run = 0; ; run++)
            {
                Kill kill = run >= 10 ? Kill.None : (Kill)(1 + ((run + seed) % 2));
                int killAfter = random.Next(1, 70);
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                var sink = new CrashingSink(await CreateSinkAsync(), kill, killAfter, cts);
                var options = new PipelineOptions
                {
                    Checkpoint = store,
                    CheckpointInterval = random.Next(3, 50),
                    SinkDefaults = { BatchSize = random.Next(1, 20), MaxRetries = 0, MaxBatchDelay = TimeSpan.FromMilliseconds(2) },
                };

                try
                {
                    await client.StreamJobToSinksAsync(JobKind.BatchScrape, job.Id, [sink], options, cts.Token);
                    if (kill == Kill.None || !sink.Killed)
                    {
                        break;
                    }

                    Assert.Fail($"Run {run} was killed ({kill}) yet completed.");
                }
                catch (OperationCanceledException) when (kill == Kill.Cancel && sink.Killed && !Ct.IsCancellationRequested)
                {
                    kills.Add($"cancel after {killAfter}");
                }
                catch (SimulatedCrashException) when (kill == Kill.ThrowMidBatch)
                {
                    kills.Add($"throw after {killAfter}");
                }
            }
        }
        finally
        {
            if (Directory.Exists(checkpointDirectory))
            {
                Directory.Delete(checkpointDirectory, recursive: true);
            }
        }

        IReadOnlyList<string> keys = await ReadBackKeysAsync();
        string[] duplicates = keys.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        Assert.True(duplicates.Length == 0, $"Duplicated after kills [{string.Join(", ", kills)}]: {string.Join(", ", duplicates.Take(5))}");
        Assert.Equal(job.Pages.Select(p => PageParser.Parse(p).Key).Order(), keys.Order());
        Assert.True(kills.Count >= 3, $"Only {kills.Count} runs were killed.");
    }

    /// <summary>The checkpoint store of the crash-and-resume runs: a file in <paramref name="directory"/>, unless the sink keeps its own.</summary>
    protected virtual ValueTask<ICheckpointStore> CreateCheckpointStoreAsync(string directory) =>
        ValueTask.FromResult<ICheckpointStore>(new FileCheckpointStore(Path.Combine(directory, "job.checkpoint")));

    /// <summary>Page <paramref name="index"/> of the job: the awkward titles and URLs first, then ordinary ones.</summary>
    private static byte[] JobPage(int index)
    {
        (string? title, string? url) = index < TestPages.Awkward.Length ? TestPages.Awkward[index] : (null, null);
        return TestPages.Json(index, title, url);
    }

    /// <summary>What a sink throws when a test kills it mid-batch.</summary>
    public sealed class SimulatedCrashException() : Exception("Simulated crash in the middle of a batch.");

    /// <summary>
    /// Wraps the sink under test and kills the run once <c>killAfter</c> pages have reached it: by cancelling the
    /// run while the sink writes, or by writing only part of the batch to the backend and throwing.
    /// </summary>
    private sealed class CrashingSink(IPageSink inner, Kill kill, int killAfter, CancellationTokenSource run) : IPageSink
    {
        private int _seen;

        public bool Killed { get; private set; }

        public string Name => inner.Name;

        public async ValueTask WriteAsync(IReadOnlyList<ScrapedPage> pages, CancellationToken cancellationToken = default)
        {
            int before = _seen;
            _seen += pages.Count;
            if (kill == Kill.None || Killed || _seen < killAfter)
            {
                await inner.WriteAsync(pages, cancellationToken);
                return;
            }

            Killed = true;
            int part = Math.Clamp(killAfter - before, 0, pages.Count);
            if (kill == Kill.Cancel)
            {
                await inner.WriteAsync(pages.Take(part).ToList(), cancellationToken);
                await run.CancelAsync();
                cancellationToken.ThrowIfCancellationRequested();
                return;
            }

            // The first part of the batch reaches the backend, and then the "process" dies.
            List<ScrapedPage> written = pages.Take(part).ToList();
            if (written.Count > 0)
            {
                await inner.WriteAsync(written, cancellationToken);
            }

            throw new SimulatedCrashException();
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
