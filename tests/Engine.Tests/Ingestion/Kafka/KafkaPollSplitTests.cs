using Confluent.Kafka;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.Ingestion.Kafka;

namespace SalesDash.Engine.Tests.Ingestion.Kafka;

/// <summary>
/// How the consumer's poll is cut into deliveries, without a broker: every record once, each partition's and each store's
/// records in offset order. The split was LINQ's GroupBy, Chunk and ConvertAll; these pin what it gave.
/// </summary>
public sealed class KafkaPollSplitTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    private static readonly TopicPartition P0 = new("events", 0);
    private static readonly TopicPartition P1 = new("events", 1);
    private static readonly TopicPartition P7 = new("events", 7);

    [Fact]
    public void A_poll_splits_into_one_slice_per_partition_in_offset_order_partitions_as_they_first_appear()
    {
        var poll = new[] { Record(P1, 40), Record(P0, 10), Record(P1, 41), Record(P7, 5), Record(P0, 11), Record(P1, 42) };

        var slices = KafkaIngestionPipeline.ByPartition(poll);

        Assert.Equal([[(1, 40L), (1, 41L), (1, 42L)], [(0, 10L), (0, 11L)], [(7, 5L)]],
            slices.Select(s => s.Select(r => (r.Partition.Partition.Value, r.Position)).ToArray()).ToArray());
        Assert.Empty(KafkaIngestionPipeline.ByPartition([]));
    }

    [Fact]
    public void A_slice_of_one_store_is_handed_over_whole_and_one_of_several_is_split_by_store_in_offset_order()
    {
        var a = new StoreRef("t", "a");
        var b = new StoreRef("t", "b");
        // An equal store in another instance is the same store: the reference check is only a shortcut.
        var alsoA = new StoreRef("t", "a");
        var one = new[] { Record(P0, 1, a), Record(P0, 2, alsoA), Record(P0, 3, a) };

        var whole = Assert.Single(KafkaIngestionPipeline.ByStore(one));
        Assert.Equal(a, whole.Store);
        Assert.Equal([1L, 2L, 3L], whole.Records.Select(r => r.Position));

        var mixed = new[] { Record(P0, 1, b), Record(P0, 2, a), Record(P0, 3, b), Record(P0, 4, alsoA), Record(P0, 5, b) };
        Assert.Equal([(b, "1,3,5"), (a, "2,4")],
            KafkaIngestionPipeline.ByStore(mixed).Select(g => (g.Store, string.Join(',', g.Records.Select(r => r.Position)))).ToArray());
    }

    [Fact]
    public void An_orders_fact_numbers_its_lines_and_sums_their_units()
    {
        var order = TestEvents.Placed("o-1", At, 30m) with
        {
            Lines = [new OrderLine("SKU-1", "Mug", 2, 5.005m), new OrderLine("SKU-2", "Tee", 4, 5m)],
        };

        var fact = Assert.IsType<OrderFact>(HistoryFacts.From(order));

        Assert.Equal(6, fact.Units);
        Assert.Equal([new OrderLineFact(1, "SKU-1", "Mug", 2, 5.005m, 10.01m), new OrderLineFact(2, "SKU-2", "Tee", 4, 5m, 20m)], fact.Lines);
    }

    [Fact]
    public void An_order_whose_units_overflow_cannot_become_a_fact()
    {
        // The history writer dead-letters an event whose facts throw an ArithmeticException; the sum stays checked.
        var order = TestEvents.Placed("o-1", At, 30m) with
        {
            Lines = [new OrderLine("SKU-1", "Mug", int.MaxValue, 0m), new OrderLine("SKU-2", "Tee", 1, 0m)],
        };

        Assert.Throws<OverflowException>(() => HistoryFacts.From(order));
    }

    private static ConsumedCommerceEvent Record(TopicPartition partition, long offset, StoreRef? store = null) =>
        new(TestEvents.Placed($"o-{partition.Partition.Value}-{offset}", At, 10m, store: store), partition, offset);
}
