using Confluent.Kafka;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion.Kafka;

namespace SalesDash.Engine.Tests.Ingestion.Kafka;

/// <summary>A folded record is committable only once its own store's checkpoint covers it, decided without a broker.</summary>
public sealed class CheckpointBookTests
{
    private static readonly TopicPartition P0 = new("events", 0);
    private static readonly StoreRef A = new("acme", "a");
    private static readonly StoreRef B = new("acme", "b");

    [Fact]
    public void Folded_records_hold_the_commit_point_until_their_stores_checkpoint_covers_them()
    {
        var tracker = new OffsetTracker();
        tracker.Assign([P0]);
        foreach (var offset in new long[] { 0, 1, 2, 3, 4 })
        {
            tracker.HandedOut(new TopicPartitionOffset(P0, new Offset(offset)));
        }

        var book = new CheckpointBook(tracker);
        // A holds 0, 2, 4 and B holds 1, 3; nothing is checkpointed yet.
        book.Folded(P0, A, [0, 2, 4], durable: -1);
        book.Folded(P0, B, [1, 3], durable: -1);
        Assert.Empty(tracker.Committable());
        Assert.Equal(5, book.Count);

        // A's checkpoint covers 0 and 2: the commit point may pass 0 only, as B's 1 is not durable.
        book.Durable(P0, A, 2);
        Assert.Equal([1L], CommitPoints(tracker));

        // B's checkpoint of 3 covers 1 and 3; A's 4 still waits, and A is still asked.
        book.Durable(P0, B, 3);
        Assert.Equal([4L], CommitPoints(tracker));
        Assert.Equal([(P0, A)], book.Waiting());

        // A durable figure that came with a later answer settles what it covers at once.
        book.Durable(P0, A, 4);
        Assert.Equal([5L], CommitPoints(tracker));
        Assert.Empty(book.Waiting());
    }

    [Fact]
    public void Answers_booked_out_of_order_are_settled_all_the_same()
    {
        var tracker = new OffsetTracker();
        tracker.Assign([P0]);
        for (var offset = 0L; offset < 6; offset++)
        {
            tracker.HandedOut(new TopicPartitionOffset(P0, new Offset(offset)));
        }

        var book = new CheckpointBook(tracker);
        book.Folded(P0, A, [3, 4, 5], durable: -1);
        book.Folded(P0, A, [0, 1, 2], durable: 2);
        Assert.Equal([3L], CommitPoints(tracker));

        book.Durable(P0, A, 5);
        Assert.Equal([6L], CommitPoints(tracker));
        Assert.Equal(0, book.Count);
    }

    [Fact]
    public void With_a_max_age_a_round_asks_only_the_stores_whose_records_have_waited_that_long()
    {
        var tracker = new OffsetTracker();
        tracker.Assign([P0]);
        for (var offset = 0L; offset < 6; offset++)
        {
            tracker.HandedOut(new TopicPartitionOffset(P0, new Offset(offset)));
        }

        var time = new FakeTimeProvider();
        var book = new CheckpointBook(tracker, time);
        var maxAge = TimeSpan.FromSeconds(10);
        book.Folded(P0, A, [0, 1], durable: -1);
        time.Advance(TimeSpan.FromSeconds(6));
        book.Folded(P0, B, [2, 3], durable: -1);

        // Neither has waited 10 s: a round with the max age asks nobody, a forced round (revoke, stop) asks both.
        Assert.Empty(book.Waiting(maxAge));
        Assert.Equal([(P0, A), (P0, B)], book.Waiting().OrderBy(w => w.Store.StoreId));

        // A's first record has waited 10 s; more records booked since do not make it younger.
        time.Advance(TimeSpan.FromSeconds(4));
        book.Folded(P0, A, [4], durable: -1);
        Assert.Equal([(P0, A)], book.Waiting(maxAge));

        // A's checkpoint covers its first two records only: what is left (4, booked just now) has waited 0 s. A store with
        // steady traffic always has a record waiting; counting from the oldest left, not the first ever, keeps it from
        // being asked every round.
        book.Durable(P0, A, 1);
        Assert.DoesNotContain((P0, A), book.Waiting(maxAge));
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal([(P0, B)], book.Waiting(maxAge));
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal([(P0, A), (P0, B)], book.Waiting(maxAge).OrderBy(w => w.Store.StoreId));
    }

    private static long[] CommitPoints(OffsetTracker tracker) => [.. tracker.Committable().Select(c => c.Offset.Offset.Value)];
}
