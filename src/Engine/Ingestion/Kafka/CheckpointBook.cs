using Confluent.Kafka;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>
/// Records the entities have folded but not yet checkpointed, per partition and store. A record becomes processed
/// (committable, through <see cref="OffsetTracker"/>) only once its store's entity says its checkpoint covers the
/// record's offset, so the group's commit on a partition never passes a record some entity could still lose.
/// Thread-safe: deliveries answer on pool threads and the checkpoint round runs beside them.
/// </summary>
internal sealed class CheckpointBook(OffsetTracker tracker)
{
    private readonly object _gate = new();
    private readonly Dictionary<(TopicPartition Partition, StoreRef Store), SortedSet<long>> _waiting = [];

    /// <summary>The entity folded these records (ascending offsets); its checkpoint covers the partition up to <paramref name="durable"/>.</summary>
    public void Folded(TopicPartition partition, StoreRef store, IEnumerable<long> offsets, long durable)
    {
        lock (_gate)
        {
            if (!_waiting.TryGetValue((partition, store), out var queue))
            {
                _waiting[(partition, store)] = queue = [];
            }

            foreach (var offset in offsets)
            {
                queue.Add(offset);
            }

            Settle(partition, store, queue, durable);
        }
    }

    /// <summary>The entity's checkpoint covers the partition up to <paramref name="durable"/>.</summary>
    public void Durable(TopicPartition partition, StoreRef store, long durable)
    {
        lock (_gate)
        {
            if (_waiting.TryGetValue((partition, store), out var queue))
            {
                Settle(partition, store, queue, durable);
            }
        }
    }

    /// <summary>Partitions and stores with folded records not yet known to be checkpointed.</summary>
    public IReadOnlyList<(TopicPartition Partition, StoreRef Store)> Waiting()
    {
        lock (_gate)
        {
            return [.. _waiting.Keys];
        }
    }

    /// <summary>Records not yet known to be checkpointed, over all partitions.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Values.Sum(q => q.Count);
            }
        }
    }

    private void Settle(TopicPartition partition, StoreRef store, SortedSet<long> queue, long durable)
    {
        // Answers of one store's deliveries may be booked out of order; sorted, the covered offsets are the lowest.
        while (queue.Count > 0 && queue.Min <= durable)
        {
            var offset = queue.Min;
            queue.Remove(offset);
            tracker.Processed(new TopicPartitionOffset(partition, new Offset(offset)));
        }

        if (queue.Count == 0)
        {
            _waiting.Remove((partition, store));
        }
    }
}
