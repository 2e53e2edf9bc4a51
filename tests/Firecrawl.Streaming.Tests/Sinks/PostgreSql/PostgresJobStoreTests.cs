using Firecrawl.Streaming.Sinks.PostgreSql;
using Firecrawl.Streaming.Tests.Pipeline;
using Firecrawl.Streaming.Tests.Infrastructure;
using Npgsql;

namespace Firecrawl.Streaming.Tests.Sinks.PostgreSql;

/// <summary>Job leases, takeover and end states in a real PostgreSQL database, as workers on several machines share them.</summary>
public sealed class PostgresJobStoreTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncDisposable
{
    private static readonly TimeSpan s_long = TimeSpan.FromMinutes(5);
    private readonly NpgsqlDataSource _dataSource = database.CreateDataSource();
    private readonly string _job = $"job-{Guid.NewGuid():N}";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PostgresJobStore Store => new(_dataSource);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    [Fact]
    public async Task TryAcquireAsync_LiveLeaseOfAnotherWorker_RefusedAndNamesTheHolder()
    {
        PostgresJobLease first = await Store.TryAcquireAsync(JobKind.BatchScrape, _job, "default", "worker-a", s_long, Ct);
        PostgresJobLease second = await Store.TryAcquireAsync(JobKind.BatchScrape, _job, "default", "worker-b", s_long, Ct);

        Assert.True(first.Acquired);
        Assert.Equal((PostgresJobState.Running, "worker-a", 1), (first.State, first.Holder, first.Attempts));
        Assert.False(second.Acquired);
        Assert.Equal(("worker-a", PostgresJobState.Running), (second.Holder, second.State));
        Assert.True(second.ExpiresAt > DateTimeOffset.UtcNow.AddMinutes(4));
    }

    [Fact]
    public async Task TryAcquireAsync_OtherProfile_IsAnotherLease()
    {
        Assert.True((await Store.TryAcquireAsync(JobKind.Crawl, _job, "search", "worker-a", s_long, Ct)).Acquired);
        Assert.True((await Store.TryAcquireAsync(JobKind.Crawl, _job, "archive", "worker-b", s_long, Ct)).Acquired);
    }

    [Fact]
    public async Task TryAcquireAsync_LeaseExpired_TakenOverAndTheOldHolderCannotRenew()
    {
        Assert.True((await Store.TryAcquireAsync(JobKind.BatchScrape, _job, "default", "worker-a", TimeSpan.FromMilliseconds(300), Ct)).Acquired);
        await Task.Delay(TimeSpan.FromMilliseconds(600), Ct);

        PostgresJobLease takeover = await Store.TryAcquireAsync(JobKind.BatchScrape, _job, "default", "worker-b", s_long, Ct);

        Assert.True(takeover.Acquired);
        Assert.Equal(("worker-a", 2), (takeover.TakenOverFrom, takeover.Attempts));
        Assert.False(await Store.RenewAsync(_job, "default", "worker-a", s_long, Ct));
        Assert.True(await Store.RenewAsync(_job, "default", "worker-b", s_long, Ct));
        Assert.False(await Store.CompleteAsync(_job, "default", "worker-a", Coverage(10, 10), Ct));
    }

    [Fact]
    public async Task TryAcquireAsync_HolderAsksAgain_RenewsWithoutCountingAnAttempt()
    {
        await Store.TryAcquireAsync(JobKind.BatchScrape, _job, "default", "worker-a", s_long, Ct);
        PostgresJobLease again = await Store.TryAcquireAsync(JobKind.BatchScrape, _job, "default", "worker-a", s_long, Ct);
        Assert.Equal((true, 1, (string?)null), (again.Acquired, again.Attempts, again.TakenOverFrom));
    }

    [Fact]
    public async Task CompleteAsync_ThenTryAcquire_ReportsCompletedWithCoverage()
    {
        await Store.TryAcquireAsync(JobKind.Crawl, _job, "default", "worker-a", s_long, Ct);
        Assert.True(await Store.CompleteAsync(_job, "default", "worker-a", Coverage(42, 42), Ct));

        PostgresJobLease later = await Store.TryAcquireAsync(JobKind.Crawl, _job, "default", "worker-b", s_long, Ct);
        PostgresJobRecord? record = await Store.GetAsync(_job, "default", Ct);

        Assert.Equal((false, PostgresJobState.Completed), (later.Acquired, later.State));
        Assert.Equal(new PostgresJobRecord(JobKind.Crawl, _job, "default", PostgresJobState.Completed, null, 1, 42, 42, 0, null), record);
    }

    [Fact]
    public async Task FailAsync_ThenTryAcquire_ReportsTheReason()
    {
        await Store.TryAcquireAsync(JobKind.BatchScrape, _job, "default", "worker-a", s_long, Ct);
        Assert.True(await Store.FailAsync(_job, "default", "worker-a", "3 pages are unaccounted for.", Coverage(7, 10), Ct));

        PostgresJobLease later = await Store.TryAcquireAsync(JobKind.BatchScrape, _job, "default", "worker-b", s_long, Ct);

        Assert.Equal((false, PostgresJobState.Failed, "3 pages are unaccounted for."), (later.Acquired, later.State, later.Reason));
        Assert.Equal(3, (await Store.GetAsync(_job, "default", Ct))?.Unaccounted);
    }

    [Fact]
    public async Task ReleaseAsync_AnotherWorkerTakesTheJobAtOnce()
    {
        await Store.TryAcquireAsync(JobKind.BatchScrape, _job, "default", "worker-a", s_long, Ct);
        Assert.True(await Store.ReleaseAsync(_job, "default", "worker-a", Ct));

        PostgresJobLease next = await Store.TryAcquireAsync(JobKind.BatchScrape, _job, "default", "worker-b", s_long, Ct);

        Assert.True(next.Acquired);
        Assert.Null(next.TakenOverFrom);
        Assert.False(await Store.ReleaseAsync(_job, "default", "worker-a", Ct));
    }

    [Fact]
    public async Task TryAcquireAsync_EightWorkersAtOnce_ExactlyOneHoldsTheLease()
    {
        PostgresJobLease[] leases = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => Store.TryAcquireAsync(JobKind.BatchScrape, _job, "default", $"worker-{i}", s_long, Ct), Ct)));

        PostgresJobLease winner = Assert.Single(leases, l => l.Acquired);
        Assert.All(leases.Where(l => !l.Acquired), l => Assert.Equal(winner.Holder, l.Holder));
    }

    [Fact]
    public async Task SplitAsync_JobSplitIntoRanges_RangesAreLeasedLikeJobsAndTheJobIsNeverLeasedAgain()
    {
        IReadOnlyList<JobRange> ranges = JobRange.Split(250, 100);
        await Store.TryAcquireAsync(JobKind.Crawl, _job, "default", "worker-a", s_long, Ct);

        Assert.True(await Store.SplitAsync(JobKind.Crawl, _job, "default", "worker-a", 250, ranges, Ct));
        PostgresJobLease again = await Store.TryAcquireAsync(JobKind.Crawl, _job, "default", "worker-b", s_long, Ct);
        PostgresJobLease range = await Store.TryAcquireAsync(JobKind.Crawl, PostgresJobStore.RangeKey(_job, ranges[1]), "default", "worker-b", s_long, Ct);
        PostgresJobLease busy = await Store.TryAcquireAsync(JobKind.Crawl, PostgresJobStore.RangeKey(_job, ranges[1]), "default", "worker-c", s_long, Ct);
        Assert.True(await Store.CompleteAsync(PostgresJobStore.RangeKey(_job, ranges[1]), "default", "worker-b", Coverage(100, 250), Ct));
        IReadOnlyList<PostgresJobRecord> rows = await Store.ListRangesAsync(_job, "default", Ct);

        Assert.Equal((false, PostgresJobState.Split), (again.Acquired, again.State));
        Assert.True(range.Acquired);
        Assert.Equal((false, "worker-b"), (busy.Acquired, busy.Holder));
        Assert.Equal(ranges, rows.Select(r => r.Range!.Value));
        Assert.Equal([PostgresJobState.Pending, PostgresJobState.Completed, PostgresJobState.Pending], rows.Select(r => r.State));
        PostgresJobRecord job = (await Store.GetAsync(_job, "default", Ct))!;
        Assert.Equal((PostgresJobState.Split, 250L, (string?)null), (job.State, job.Expected, job.Holder));
    }

    [Fact]
    public async Task SplitAsync_SplitAgainByARedeliveredMessage_KeepsTheRangesRows()
    {
        IReadOnlyList<JobRange> ranges = JobRange.Split(200, 100);
        await Store.TryAcquireAsync(JobKind.BatchScrape, _job, "default", "worker-a", s_long, Ct);
        await Store.SplitAsync(JobKind.BatchScrape, _job, "default", "worker-a", 200, ranges, Ct);
        string key = PostgresJobStore.RangeKey(_job, ranges[0]);
        await Store.TryAcquireAsync(JobKind.BatchScrape, key, "default", "worker-b", s_long, Ct);
        await Store.CompleteAsync(key, "default", "worker-b", Coverage(100, 200), Ct);

        bool splitAgain = await Store.SplitAsync(JobKind.BatchScrape, _job, "default", "worker-c", 200, ranges, Ct);

        Assert.False(splitAgain); // worker-c holds no lease on it: nothing changes
        Assert.Equal(PostgresJobState.Completed, (await Store.ListRangesAsync(_job, "default", Ct))[0].State);
    }

    [Fact]
    public async Task CompleteSplitAsync_SplitJob_CompletedOnceWithTheCoverage()
    {
        await Store.TryAcquireAsync(JobKind.BatchScrape, _job, "default", "worker-a", s_long, Ct);
        await Store.SplitAsync(JobKind.BatchScrape, _job, "default", "worker-a", 200, JobRange.Split(200, 100), Ct);

        Assert.True(await Store.CompleteSplitAsync(_job, "default", Coverage(200, 200), Ct));
        Assert.False(await Store.CompleteSplitAsync(_job, "default", Coverage(200, 200), Ct));
        PostgresJobRecord job = (await Store.GetAsync(_job, "default", Ct))!;
        Assert.Equal((PostgresJobState.Completed, 200L, 200L, 0L), (job.State, job.Delivered, job.Expected, job.Unaccounted));
    }

    [Fact]
    public async Task FailSplitAsync_ReconcileFailed_JobFailedWithTheReasonAndNotCompletedAfter()
    {
        await Store.TryAcquireAsync(JobKind.BatchScrape, _job, "default", "worker-a", s_long, Ct);
        await Store.SplitAsync(JobKind.BatchScrape, _job, "default", "worker-a", 200, JobRange.Split(200, 100), Ct);

        Assert.True(await Store.FailSplitAsync(_job, "default", "3 pages are unaccounted for.", null, Ct));
        Assert.False(await Store.CompleteSplitAsync(_job, "default", Coverage(200, 200), Ct));
        PostgresJobRecord job = (await Store.GetAsync(_job, "default", Ct))!;
        Assert.Equal((PostgresJobState.Failed, "3 pages are unaccounted for."), (job.State, job.Reason));
    }

    [Fact]
    public async Task FencedBy_LeaseTakenOver_TheOldHoldersSaveRefusedAndTheNewHoldersCheckpointKept()
    {
        await Store.TryAcquireAsync(JobKind.BatchScrape, _job, "default", "worker-a", TimeSpan.FromMilliseconds(300), Ct);
        PostgresCheckpointStore a = new PostgresCheckpointStore(_dataSource, ["jsonl:a"], _job).FencedBy(Store, _job, "default", "worker-a");
        await a.SaveAsync(ResumeToken.Format(JobKind.BatchScrape, _job, 9, (string?)null), Ct);
        await Task.Delay(TimeSpan.FromMilliseconds(600), Ct);
        await Store.TryAcquireAsync(JobKind.BatchScrape, _job, "default", "worker-b", s_long, Ct);
        PostgresCheckpointStore b = new PostgresCheckpointStore(_dataSource, ["jsonl:a"], _job).FencedBy(Store, _job, "default", "worker-b");
        await b.SaveAsync(ResumeToken.Format(JobKind.BatchScrape, _job, 19, (string?)null), Ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => a.SaveAsync(ResumeToken.Format(JobKind.BatchScrape, _job, 29, (string?)null), Ct).AsTask());

        Assert.Contains("worker-a no longer holds the lease", error.Message, StringComparison.Ordinal);
        Assert.Equal(19, PipelineTestExtensions.PositionOf(await b.LoadAsync(Ct)));
        await b.SaveAsync(ResumeToken.Format(JobKind.BatchScrape, _job, 15, (string?)null), Ct); // an earlier point: ignored, not refused
        Assert.Equal(19, PipelineTestExtensions.PositionOf(await b.LoadAsync(Ct)));
    }

    [Fact]
    public async Task RowKey_RangesOfOneJob_KeepACheckpointEach()
    {
        IReadOnlyList<JobRange> ranges = JobRange.Split(200, 100);
        foreach (JobRange range in ranges)
        {
            var store = new PostgresCheckpointStore(_dataSource, ["postgres:pages"], _job) { RowKey = PostgresJobStore.RangeKey(_job, range) };
            await store.SaveAsync(ResumeToken.Format(JobKind.BatchScrape, _job, range.Start + 42, (string?)null), Ct);
        }

        long[] positions = await Task.WhenAll(ranges.Select(async range =>
            PipelineTestExtensions.PositionOf(await new PostgresCheckpointStore(_dataSource, ["postgres:pages"], _job) { RowKey = PostgresJobStore.RangeKey(_job, range) }.LoadAsync(Ct))));

        Assert.Equal([42L, 142L], positions);
    }

    private JobCoverage Coverage(long delivered, long completed) => new()
    {
        Kind = JobKind.BatchScrape,
        JobId = _job,
        Delivered = delivered,
        Status = new JobStatus("completed", completed, completed, 0, null),
    };
}
