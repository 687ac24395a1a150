using Confluent.Kafka;
using SalesDash.Engine.Ingestion.Kafka;

namespace SalesDash.Engine.Tests.Ingestion.Kafka;

/// <summary>Where the commit point may go, decided without a broker.</summary>
public sealed class OffsetTrackerTests
{
    private static readonly TopicPartition P0 = new("events", 0);
    private static readonly TopicPartition P1 = new("events", 1);

    [Fact]
    public void The_commit_point_stops_at_the_first_record_not_yet_durable()
    {
        var tracker = Assigned(P0);
        HandOut(tracker, P0, 10, 11, 12, 13);

        tracker.Processed(At(P0, 10));
        tracker.Processed(At(P0, 12));
        tracker.Processed(At(P0, 13));
        Assert.Equal([11L], CommitPoints(tracker, P0));

        tracker.Processed(At(P0, 11));
        Assert.Equal([14L], CommitPoints(tracker, P0));
    }

    [Fact]
    public void Gaps_in_offsets_do_not_hold_the_commit_point_back()
    {
        // Compaction or transaction markers leave offsets that are never delivered.
        var tracker = Assigned(P0);
        HandOut(tracker, P0, 3, 7, 8);
        tracker.Processed(At(P0, 3));
        tracker.Processed(At(P0, 7));
        Assert.Equal([8L], CommitPoints(tracker, P0));
    }

    [Fact]
    public void A_committed_point_is_not_offered_again_until_it_moves()
    {
        var tracker = Assigned(P0, P1);
        HandOut(tracker, P0, 0, 1);
        HandOut(tracker, P1, 0);
        tracker.Processed(At(P0, 0));
        tracker.Processed(At(P1, 0));
        tracker.Committed(tracker.StillAssigned(tracker.Committable()));

        Assert.Empty(tracker.Committable());
        tracker.Processed(At(P0, 1));
        Assert.Equal([new TopicPartitionOffset(P0, 2)], tracker.Committable().Select(c => c.Offset));
    }

    [Fact]
    public void A_commit_point_taken_before_a_rebalance_is_dropped_even_when_the_partition_comes_back()
    {
        var tracker = Assigned(P0);
        HandOut(tracker, P0, 0, 1, 2);
        tracker.Processed(At(P0, 0));
        var stale = tracker.Committable();
        tracker.Processed(At(P0, 1));
        tracker.Processed(At(P0, 2));

        Assert.Equal([new TopicPartitionOffset(P0, 3)], tracker.Revoke([P0], TimeSpan.Zero));
        tracker.Assign([P0]);

        // Committing offset 1 now would move the group back behind what the revoke committed.
        Assert.Empty(tracker.StillAssigned(stale));
    }

    [Fact]
    public async Task Revoke_waits_for_records_in_flight_and_commits_what_they_reached()
    {
        var tracker = Assigned(P0);
        HandOut(tracker, P0, 0, 1);
        tracker.Processed(At(P0, 0));
        var late = Task.Run(async () =>
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            tracker.Processed(At(P0, 1));
        }, TestContext.Current.CancellationToken);

        var toCommit = tracker.Revoke([P0], TimeSpan.FromSeconds(10));
        await late;

        Assert.Equal([new TopicPartitionOffset(P0, 2)], toCommit);
        Assert.False(tracker.IsAssigned(P0));
    }

    [Fact]
    public void Revoke_gives_up_waiting_and_commits_only_what_is_durable()
    {
        var tracker = Assigned(P0);
        HandOut(tracker, P0, 0, 1, 2);
        tracker.Processed(At(P0, 0));

        Assert.Equal([new TopicPartitionOffset(P0, 1)], tracker.Revoke([P0], TimeSpan.FromMilliseconds(100)));
        // A straggler finishing after the partition moved on changes nothing here; its new owner replays it.
        tracker.Processed(At(P0, 1));
        Assert.Empty(tracker.Committable());
    }

    [Fact]
    public void Lost_partitions_commit_nothing()
    {
        var tracker = Assigned(P0);
        HandOut(tracker, P0, 0);
        tracker.Processed(At(P0, 0));
        tracker.Lose([P0]);
        Assert.Empty(tracker.Committable());
        Assert.Equal(0, tracker.InFlight);
    }

    private static OffsetTracker Assigned(params TopicPartition[] partitions)
    {
        var tracker = new OffsetTracker();
        tracker.Assign(partitions);
        return tracker;
    }

    private static void HandOut(OffsetTracker tracker, TopicPartition partition, params long[] offsets)
    {
        foreach (var offset in offsets)
        {
            tracker.HandedOut(At(partition, offset));
        }
    }

    private static TopicPartitionOffset At(TopicPartition partition, long offset) => new(partition, new Offset(offset));

    private static long[] CommitPoints(OffsetTracker tracker, TopicPartition partition) =>
        tracker.Committable().Where(c => c.Offset.TopicPartition == partition).Select(c => c.Offset.Offset.Value).ToArray();
}
