using System.Text;
using Firecrawl.Streaming.Tests.Sinks;
using Firecrawl.Streaming.Webhooks.Journal;

namespace Firecrawl.Streaming.Tests.Webhooks;

public sealed class WebhookJournalTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private WebhookJournal Open(List<string> replayed, List<long>? durable = null, long maxBytes = 1 << 20) =>
        WebhookJournal.Open(_directory.Path, maxBytes, r => replayed.Add(Encoding.UTF8.GetString(r.Payload.Span)), r => durable?.Add(r.Sequence), out _);

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Append_ConcurrentRecords_ReadBackInSequenceOrderAfterReopen()
    {
        var durable = new List<long>();
        await using (WebhookJournal journal = Open([], durable))
        {
            long[] sequences = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => journal.AppendAsync(JournalRecordType.Delivery, Bytes($"record {i}"), null)));
            Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), sequences.Order());
        }

        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), durable);
        var replayed = new List<string>();
        await using WebhookJournal reopened = Open(replayed);
        Assert.Equal(200, replayed.Count);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"record {i}").Order(), replayed.Order());
        Assert.Equal(200, await reopened.AppendAsync(JournalRecordType.Delivery, Bytes("after"), null));
    }

    [Theory]
    [InlineData(1)]   // the last record's final byte missing
    [InlineData(5)]   // half its payload
    [InlineData(-7)]  // seven zero bytes after it (a zero-filled tail)
    [InlineData(-1000)] // garbage after it
    public async Task Open_TornOrDirtyTail_CutAfterTheLastWholeRecord(int cut)
    {
        string path;
        await using (WebhookJournal journal = Open([]))
        {
            path = journal.Path;
            for (int i = 0; i < 3; i++)
            {
                await journal.AppendAsync(JournalRecordType.Delivery, Bytes($"record {i} with some payload"), null);
            }
        }

        long whole = new FileInfo(path).Length;
        await using (var file = new FileStream(path, FileMode.Open))
        {
            if (cut > 0)
            {
                file.SetLength(whole - cut);
            }
            else
            {
                file.Position = whole;
                byte[] tail = new byte[-cut];
                if (cut < -100)
                {
                    new Random(5).NextBytes(tail);
                }

                file.Write(tail);
            }
        }

        var replayed = new List<string>();
        long cutBytes;
        await using (WebhookJournal reopened = WebhookJournal.Open(_directory.Path, 1 << 20, r => replayed.Add(Encoding.UTF8.GetString(r.Payload.Span)), _ => { }, out cutBytes))
        {
            int kept = cut > 0 ? 2 : 3;
            Assert.Equal(Enumerable.Range(0, kept).Select(i => $"record {i} with some payload"), replayed);
            Assert.True(cutBytes > 0);
            Assert.Equal(kept, await reopened.AppendAsync(JournalRecordType.Delivery, Bytes("next"), null));
        }

        var again = new List<string>();
        await using WebhookJournal third = Open(again);
        Assert.Equal("next", again[^1]);
    }

    [Fact]
    public async Task Append_BeyondTheLimit_RefusedWithoutWriting()
    {
        await using WebhookJournal journal = Open([], maxBytes: 200);
        await journal.AppendAsync(JournalRecordType.Delivery, new byte[100], null);
        await Assert.ThrowsAsync<JournalFullException>(() => journal.AppendAsync(JournalRecordType.Delivery, new byte[100], null));
        long length = new FileInfo(journal.Path).Length;
        Assert.Equal(journal.Length, length);
        Assert.Equal(1, await journal.AppendAsync(JournalRecordType.Delivery, new byte[10], null));
    }

    [Fact]
    public void Open_FileThatIsNoJournal_Refused()
    {
        File.WriteAllText(Path.Combine(_directory.Path, "webhooks.journal"), "these are somebody else's bytes");
        Assert.Throws<InvalidDataException>(() => Open([]));
    }
}
