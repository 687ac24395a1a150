using Confluent.Kafka;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>
/// Records the entities have folded but not yet checkpointed, per partition and store. A record becomes processed
/// (committable, through <see cref="OffsetTracker"/>) only once its store's entity says its checkpoint covers the
/// record's offset, so the group's commit on a partition never passes a record some entity could still lose.
/// Thread-safe: deliveries answer on pool threads and the checkpoint round runs beside them.
/// </summary>
internal sealed class CheckpointBook(OffsetTracker tracker, TimeProvider? time = null)
{
    private readonly object _gate = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<(TopicPartition Partition, StoreRef Store), Pending> _waiting = [];

    /// <summary>The entity folded these records (ascending offsets); its checkpoint covers the partition up to <paramref name="durable"/>.</summary>
    public void Folded(TopicPartition partition, StoreRef store, IEnumerable<long> offsets, long durable)
    {
        lock (_gate)
        {
            if (!_waiting.TryGetValue((partition, store), out var queue))
            {
                _waiting[(partition, store)] = queue = new Pending();
            }

            var now = _time.GetTimestamp();
            foreach (var offset in offsets)
            {
                queue.Offsets.Add(offset);
                queue.BookedAt.TryAdd(offset, now);
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

    /// <summary>
    /// Partitions and stores with folded records not yet known to be checkpointed; with <paramref name="olderThan"/>, only
    /// those whose oldest such record has waited at least that long. Counted per record, not from when the store last had
    /// none waiting: a store with steady traffic always has some waiting, and would otherwise be asked every round.
    /// </summary>
    public IReadOnlyList<(TopicPartition Partition, StoreRef Store)> Waiting(TimeSpan? olderThan = null)
    {
        lock (_gate)
        {
            return olderThan is not { } age
                ? [.. _waiting.Keys]
                : [.. _waiting.Where(w => _time.GetElapsedTime(w.Value.OldestBookedAt) >= age).Select(w => w.Key)];
        }
    }

    /// <summary>Records not yet known to be checkpointed, over all partitions.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Values.Sum(q => q.Offsets.Count);
            }
        }
    }

    private void Settle(TopicPartition partition, StoreRef store, Pending queue, long durable)
    {
        // Answers of one store's deliveries may be booked out of order; sorted, the covered offsets are the lowest.
        var offsets = queue.Offsets;
        while (offsets.Count > 0 && offsets.Min <= durable)
        {
            var offset = offsets.Min;
            offsets.Remove(offset);
            queue.BookedAt.Remove(offset);
            tracker.Processed(new TopicPartitionOffset(partition, new Offset(offset)));
        }

        if (offsets.Count == 0)
        {
            _waiting.Remove((partition, store));
        }
    }

    /// <summary>One store's records of one partition not yet checkpointed, and when each was booked.</summary>
    private sealed class Pending
    {
        public SortedSet<long> Offsets { get; } = [];

        public Dictionary<long, long> BookedAt { get; } = [];

        /// <summary>When the oldest record still waiting was booked (answers may come out of order, so the earliest of all).</summary>
        public long OldestBookedAt => BookedAt.Values.Min();
    }
}
