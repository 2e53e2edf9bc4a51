using System.Text.Json;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Sinks;
using Firecrawl.Streaming.Sinks.PostgreSql;
using Firecrawl.Streaming.Testing;
using Firecrawl.Streaming.Tests.Infrastructure;
using Npgsql;

namespace Firecrawl.Streaming.Tests.Sinks.PostgreSql;

/// <summary>Page claims in a real PostgreSQL database: overlapping shares of one job deliver each page once.</summary>
public sealed class PostgresPageClaimsTests(PostgresDatabase database) : FakeServerTestBase, IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly NpgsqlDataSource _dataSource = database.CreateDataSource();
    private readonly string _job = $"job-{Guid.NewGuid():N}";
    private readonly string _directory = Directory.CreateTempSubdirectory("claims-").FullName;

    private PostgresPageClaims Claims => new(_dataSource);

    public void Dispose()
    {
        _dataSource.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task ClaimAsync_OverlappingBatchesOfTwoOwners_EachPageBelongsToTheFirstClaimant()
    {
        string[] first = ["p0", "p1", "p2", "p3"];
        string[] second = ["p2", "p3", "p4", "p5"];

        IReadOnlyList<bool> a = await Claims.ClaimAsync(_job, "default", "0-4", first, Ct);
        IReadOnlyList<bool> b = await Claims.ClaimAsync(_job, "default", "2-6", second, Ct);
        IReadOnlyList<bool> other = await Claims.ClaimAsync(_job, "archive", "2-6", second, Ct);

        Assert.Equal([true, true, true, true], a);
        Assert.Equal([false, false, true, true], b);
        Assert.Equal([true, true, true, true], other); // another profile's sinks are another delivery
        IReadOnlyDictionary<string, long> counts = await Claims.CountAsync(_job, "default", Ct);
        Assert.Equal((4L, 2L), (counts["0-4"], counts["2-6"]));
    }

    [Fact]
    public async Task ClaimAsync_OwnerClaimsAgainAfterAResume_ItsOwnPagesAreGrantedAgain()
    {
        await Claims.ClaimAsync(_job, "default", "0-4", ["p0", "p1", "p2"], Ct);
        await Claims.ClaimAsync(_job, "default", "2-6", ["p3"], Ct);

        IReadOnlyList<bool> again = await Claims.ClaimAsync(_job, "default", "0-4", ["p1", "p2", "p3", "p2"], Ct);

        Assert.Equal([true, true, false, true], again);
    }

    [Fact]
    public async Task StreamJobToSinksAsync_TwoRangesWhoseListingsOverlap_EveryPageOnceAcrossTheirFiles()
    {
        // The second run's listing holds the first run's last 20 pages again (as a shift of the offsets would):
        // the claims keep them with the run that claimed them first.
        FakeJob job = Server.AddJob(Pages(100));
        using FirecrawlJobClient client = Client(o => (o.ChunkLimit, o.MaxConcurrency) = (15, 2));
        var ranges = new[] { new JobRange(0, 60), new JobRange(40, 100) };
        var filters = new List<IPageFilter>();
        foreach (JobRange range in ranges)
        {
            IPageFilter filter = Claims.Filter(job.Id, "default", range.ToString(), batchSize: 7);
            filters.Add(filter);
            PipelineResult result = await client.StreamJobToSinksAsync(
                JobKind.BatchScrape, job.Id, [new JsonLinesSink(Path.Combine(_directory, range.Label + ".jsonl"))],
                new PipelineOptions { PageFilter = filter, StreamOptions = new JobStreamOptions { StartAt = range.Start, StopAt = range.Stop } }, Ct);
            Assert.Equal(range == ranges[0] ? 60 : 40, result.PagesRead);
        }

        string[] first = ScrapeIds(ranges[0]);
        string[] second = ScrapeIds(ranges[1]);
        Assert.Equal(Enumerable.Range(0, 60).Select(TestPages.ScrapeId), first);
        Assert.Equal(Enumerable.Range(60, 40).Select(TestPages.ScrapeId), second);
        IReadOnlyDictionary<string, long> counts = await Claims.CountAsync(job.Id, "default", Ct);
        Assert.Equal((60L, 40L), (counts["0-60"], counts["40-100"]));
    }

    private string[] ScrapeIds(JobRange range) =>
        [.. File.ReadAllLines(Path.Combine(_directory, range.Label + ".jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("metadata").GetProperty("scrapeId").GetString()!)];
}
