using Firecrawl.Streaming.Tests.Infrastructure;

namespace Firecrawl.Streaming.Tests.Paging;

/// <summary>The bookkeeping behind retries by identity and gap repair, without a server.</summary>
public class HandedOutPagesTests
{
    private static PageIdentity Id(int index) => PageIdentity.FromScrapeId(TestPages.ScrapeId(index));

    [Fact]
    public void Meet_SecondAttemptWithAPageInsertedAmongThoseHandedOut_SkipsByIdentityAndPlacesTheNewOne()
    {
        var handed = new HandedOutPages();
        handed.BeginAttempt();
        foreach (int i in (int[])[10, 11, 13, 14])
        {
            Assert.True(handed.Meet(Id(i), out bool late, out _, out _));
            Assert.False(late);
        }

        handed.BeginAttempt();
        bool[] handedOut = [.. ((int[])[10, 11, 12, 13, 14, 15]).Select(i => handed.Meet(Id(i), out _, out _, out _))];

        Assert.Equal([false, false, true, false, false, true], handedOut);
    }

    [Fact]
    public void Meet_NewPageBeforeAnyPageHandedOut_LateWithTheFirstHandedOutPageFollowingIt()
    {
        var handed = new HandedOutPages();
        handed.BeginAttempt();
        handed.Meet(Id(10), out _, out _, out _);
        handed.Meet(Id(11), out _, out _, out _);
        handed.BeginAttempt();

        Assert.True(handed.Meet(Id(9), out bool late, out PageIdentity neighbor, out bool follows));
        Assert.True(handed.Meet(Id(99), out bool alsoLate, out PageIdentity previous, out bool previousFollows));

        Assert.Equal((true, Id(10), true), (late, neighbor, follows));
        Assert.Equal((true, Id(9), false), (alsoLate, previous, previousFollows));
    }

    [Fact]
    public void Meet_IdenticalPagesHandedOutTwice_SkippedTwiceAsAMultiset()
    {
        var handed = new HandedOutPages();
        handed.BeginAttempt();
        handed.Meet(Id(1), out _, out _, out _);
        handed.Meet(Id(1), out _, out _, out _);
        handed.BeginAttempt();

        Assert.False(handed.Meet(Id(1), out _, out _, out _));
        Assert.False(handed.Meet(Id(1), out _, out _, out _));
        Assert.True(handed.Meet(Id(2), out bool late, out _, out _));
        Assert.False(late);
    }

    [Fact]
    public void UndeliveredBefore_CountsWhatTheRunHasNotDeliveredBeforeAWalkedPage()
    {
        var listing = new DeliveredListing(start: 100, resumePage: Id(99));
        for (int i = 100; i < 110; i++)
        {
            listing.AddWalked(Id(i), null);
        }

        listing.AddRepaired(Id(500), rank: 3); // found between walked pages 2 and 3
        listing.AddRepeat();                    // an offset repeating a page, after all ten

        // Walked page 5 (offset 105 when walked) now at 108: the repaired page and two others were listed before it.
        Assert.Equal(2, listing.UndeliveredBefore(108, 5));
        Assert.Equal(0, listing.UndeliveredBefore(102, 2));
        Assert.Equal(12, listing.Count);
        Assert.Equal((ListingPlace.ResumePage, ListingPlace.Repaired, ListingPlace.Unknown), (listing.Find(Id(99), out _), listing.Find(Id(500), out _), listing.Find(Id(7), out _)));
        Assert.Equal((3, 3, 10), (listing.RankNextTo(Id(500), neighborFollows: false), listing.RankNextTo(Id(103), neighborFollows: true), listing.RankNextTo(Id(109), neighborFollows: false)));
        Assert.Equal(Id(109), listing.Frontier);
    }
}
