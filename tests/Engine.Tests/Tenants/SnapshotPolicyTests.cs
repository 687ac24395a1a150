using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Tests.Tenants;

public class SnapshotPolicyTests
{
    [Fact]
    public void A_small_state_is_snapshotted_every_500_events()
    {
        Assert.False(SnapshotPolicy.IsDue(499, stateEntries: 1_000));
        Assert.True(SnapshotPolicy.IsDue(500, stateEntries: 1_000));
        Assert.True(SnapshotPolicy.IsDue(500, stateEntries: 0));
    }

    [Fact]
    public void A_large_state_waits_a_quarter_of_its_size_so_each_event_pays_a_constant_share_of_the_snapshot()
    {
        // 60,000 entries (30,000 orders and their event ids): a snapshot every 15,000 events, not every 500.
        Assert.False(SnapshotPolicy.IsDue(14_999, stateEntries: 60_000));
        Assert.True(SnapshotPolicy.IsDue(15_000, stateEntries: 60_000));

        // Entries serialised per event stay at most 4 however large the store grows (recovery replays at most a quarter).
        foreach (var entries in new long[] { 10_000, 100_000, 10_000_000 })
        {
            Assert.True(entries / (double)SnapshotPolicy.EventsBetween(entries) <= SnapshotPolicy.EntriesPerEvent);
        }
    }

    [Fact]
    public void A_negative_size_is_a_bug_not_a_policy()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SnapshotPolicy.IsDue(1, stateEntries: -1));
    }
}
