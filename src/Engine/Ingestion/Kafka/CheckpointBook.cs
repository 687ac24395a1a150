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
        long[] delivered = [.. offsets];
        lock (_gate)
        {
            if (!_waiting.TryGetValue((partition, store), out var pending))
            {
                _waiting[(partition, store)] = pending = new Pending();
            }

            if (delivered.Length > 0)
            {
                pending.Deliveries.Add(new Delivery(delivered, _time.GetTimestamp()));
            }

            Settle(partition, store, pending, durable);
        }
    }

    /// <summary>The entity's checkpoint covers the partition up to <paramref name="durable"/>.</summary>
    public void Durable(TopicPartition partition, StoreRef store, long durable)
    {
        lock (_gate)
        {
            if (_waiting.TryGetValue((partition, store), out var pending))
            {
                Settle(partition, store, pending, durable);
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
                return _waiting.Values.Sum(p => p.Deliveries.Sum(d => d.Offsets.Length - d.Settled));
            }
        }
    }

    private void Settle(TopicPartition partition, StoreRef store, Pending pending, long durable)
    {
        // A delivery's offsets ascend, so a checkpoint covers a prefix of each; deliveries may be booked out of order, and
        // each is settled on its own.
        var deliveries = pending.Deliveries;
        for (var i = deliveries.Count - 1; i >= 0; i--)
        {
            var delivery = deliveries[i];
            while (delivery.Settled < delivery.Offsets.Length && delivery.Offsets[delivery.Settled] <= durable)
            {
                tracker.Processed(partition, delivery.Offsets[delivery.Settled]);
                delivery.Settled++;
            }

            if (delivery.Settled == delivery.Offsets.Length)
            {
                deliveries.RemoveAt(i);
            }
        }

        if (deliveries.Count == 0)
        {
            _waiting.Remove((partition, store));
        }
    }

    /// <summary>One store's deliveries of one partition not yet wholly checkpointed.</summary>
    private sealed class Pending
    {
        public List<Delivery> Deliveries { get; } = [];

        /// <summary>When the oldest record still waiting was booked (answers may come out of order, so the earliest of all).</summary>
        public long OldestBookedAt => Deliveries.Min(d => d.BookedAt);
    }

    /// <summary>One delivery's offsets (ascending), how many of them a checkpoint covers, and when its answer was booked.</summary>
    private sealed class Delivery(long[] offsets, long bookedAt)
    {
        public long[] Offsets { get; } = offsets;

        public long BookedAt { get; } = bookedAt;

        public int Settled { get; set; }
    }
}
