using System.Text;
using Firecrawl.Streaming.RabbitMq;

namespace Firecrawl.Streaming.Tests.RabbitMq;

/// <summary>Job message bodies: whole jobs as before, ranges and the reconcile marker, each with its own message id.</summary>
public class JobMessageTests
{
    [Fact]
    public void Parse_RangeMessage_RoundTripsWithItsOwnMessageId()
    {
        JobMessage range = new JobMessage(JobKind.BatchScrape, "b-1", "search").WithRange(new JobRange(10_000, 20_000));

        byte[] body = range.ToUtf8Json();
        JobMessage parsed = JobMessage.Parse(body);

        Assert.Equal("""{"v":1,"kind":"batch","jobId":"b-1","profile":"search","range":[10000,20000]}""", Encoding.UTF8.GetString(body));
        Assert.Equal((JobKind.BatchScrape, "b-1", "search", (JobRange?)new JobRange(10_000, 20_000), false), (parsed.Kind, parsed.JobId, parsed.Profile, parsed.Range, parsed.IsReconcile));
        Assert.Equal("batch:b-1:search:10000-20000", parsed.MessageId);
    }

    [Fact]
    public void Parse_ReconcileMessage_RoundTripsWithItsOwnMessageId()
    {
        JobMessage reconcile = new JobMessage(JobKind.Crawl, "c-9").WithRange(new JobRange(0, 5)).ToReconcile();

        JobMessage parsed = JobMessage.Parse(reconcile.ToUtf8Json());

        Assert.True(parsed.IsReconcile);
        Assert.Null(parsed.Range);
        Assert.Equal("crawl:c-9:default:reconcile", parsed.MessageId);
    }

    [Fact]
    public void Parse_MessageOfAnEarlierWorker_IsTheWholeJobAsBefore()
    {
        JobMessage parsed = JobMessage.Parse("""{"v":1,"kind":"crawl","jobId":"c-1","profile":"nightly"}"""u8);

        Assert.Equal((null, false, "crawl:c-1:nightly"), ((JobRange?)parsed.Range, parsed.IsReconcile, parsed.MessageId));
        Assert.Equal(parsed.MessageId, JobMessage.Parse(parsed.ToUtf8Json()).MessageId);
    }

    [Theory]
    [InlineData("""{"v":1,"kind":"batch","jobId":"b","range":[5]}""")]
    [InlineData("""{"v":1,"kind":"batch","jobId":"b","range":[9,3]}""")]
    [InlineData("""{"v":1,"kind":"batch","jobId":"b","range":[-1,3]}""")]
    [InlineData("""{"v":1,"kind":"batch","jobId":"b","range":"0-10"}""")]
    [InlineData("""{"v":1,"kind":"batch","jobId":"b","range":[0,10],"reconcile":true}""")]
    public void Parse_MalformedRange_IsAPoisonMessage(string body)
    {
        Assert.Throws<InvalidDataException>(() => JobMessage.Parse(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Split_JobOfCompletedCount_RangesCoverEveryOffsetOnce()
    {
        IReadOnlyList<JobRange> ranges = JobRange.Split(25_001, 10_000);

        Assert.Equal([new JobRange(0, 10_000), new JobRange(10_000, 20_000), new JobRange(20_000, 25_001)], ranges);
        Assert.Equal("00020000-00025001", ranges[2].Label);
        Assert.True(JobRange.TryParse(ranges[2].Label, out JobRange parsed) && parsed == ranges[2]);
        Assert.Empty(JobRange.Split(0, 100));
    }
}
