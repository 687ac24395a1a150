using Confluent.Kafka;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>
/// Which offsets of each assigned partition have been handed out and which of those the entities have made
/// durable, so the commit point only ever moves past records that are processed: the highest contiguous
/// processed offset, counted in the order records were handed out (offsets may have gaps). Shared by the
/// consumer thread (hand-out, rebalances) and the stream (processed), hence the lock.
/// </summary>
internal sealed class OffsetTracker
{
    private readonly object _gate = new();
    private readonly Dictionary<TopicPartition, Progress> _partitions = [];
    private long _epoch;

    /// <summary>Partitions newly given to this consumer start with nothing in flight.</summary>
    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            var epoch = ++_epoch;
            foreach (var partition in partitions)
            {
                _partitions[partition] = new Progress(epoch);
            }
        }
    }

    /// <summary>Which assignment of the partition is held (null when it is not): a partition given back starts a new one.</summary>
    public long? EpochOf(TopicPartition partition)
    {
        lock (_gate)
        {
            return _partitions.TryGetValue(partition, out var progress) ? progress.Epoch : null;
        }
    }

    public bool IsAssigned(TopicPartition partition)
    {
        lock (_gate)
        {
            return _partitions.ContainsKey(partition);
        }
    }

    /// <summary>The record is about to be handed to the stream; the commit point cannot pass it until it is processed.</summary>
    public void HandedOut(TopicPartitionOffset record) => HandedOut(record.TopicPartition, record.Offset.Value);

    /// <inheritdoc cref="HandedOut(TopicPartitionOffset)"/>
    public void HandedOut(TopicPartition partition, long offset)
    {
        lock (_gate)
        {
            if (_partitions.TryGetValue(partition, out var progress) && progress.Pending.Add(offset))
            {
                progress.Order.Enqueue(offset);
            }
        }
    }

    /// <summary>The record's effect is durable. Records of a partition no longer (or not yet again) held are ignored:
    /// their new owner replays them from its last commit, and the entity's dedupe absorbs the repeat.</summary>
    public void Processed(TopicPartitionOffset record) => Processed(record.TopicPartition, record.Offset.Value);

    /// <inheritdoc cref="Processed(TopicPartitionOffset)"/>
    public void Processed(TopicPartition partition, long offset)
    {
        lock (_gate)
        {
            if (!_partitions.TryGetValue(partition, out var progress) || !progress.Pending.Contains(offset))
            {
                return;
            }

            progress.Done.Add(offset);
            while (progress.Order.TryPeek(out var head) && progress.Done.Remove(head))
            {
                progress.Order.Dequeue();
                progress.Pending.Remove(head);
                progress.NextToCommit = head + 1;
            }

            if (progress.Order.Count == 0)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Commit points that moved since they were last committed, tagged with the assignment they belong to.</summary>
    public IReadOnlyList<PendingCommit> Committable()
    {
        lock (_gate)
        {
            return _partitions
                .Where(p => p.Value.NextToCommit is { } next && next > (p.Value.Committed ?? -1))
                .Select(p => new PendingCommit(new TopicPartitionOffset(p.Key, new Offset(p.Value.NextToCommit!.Value)), p.Value.Epoch))
                .ToArray();
        }
    }

    /// <summary>
    /// Keeps only commit points of assignments still held. A point taken before a rebalance is dropped even if the
    /// partition came back: the revoke already committed at least as far, and committing it would move the group back.
    /// </summary>
    public IReadOnlyList<TopicPartitionOffset> StillAssigned(IEnumerable<PendingCommit> commits)
    {
        lock (_gate)
        {
            return commits
                .Where(c => _partitions.TryGetValue(c.Offset.TopicPartition, out var progress) && progress.Epoch == c.Epoch)
                .Select(c => c.Offset)
                .ToArray();
        }
    }

    public void Committed(IEnumerable<TopicPartitionOffset> offsets)
    {
        lock (_gate)
        {
            foreach (var offset in offsets)
            {
                if (_partitions.TryGetValue(offset.TopicPartition, out var progress))
                {
                    progress.Committed = Math.Max(progress.Committed ?? -1, offset.Offset.Value);
                }
            }
        }
    }

    /// <summary>
    /// The partitions are being taken away: waits (at most <paramref name="drain"/>) for records already handed
    /// out to be processed, forgets the partitions and returns their commit points not yet committed. Records
    /// still unprocessed after the wait are left to the new owner, which replays them.
    /// </summary>
    public IReadOnlyList<TopicPartitionOffset> Revoke(IReadOnlyCollection<TopicPartition> partitions, TimeSpan drain)
    {
        var deadline = DateTime.UtcNow + drain;
        lock (_gate)
        {
            while (partitions.Any(p => _partitions.TryGetValue(p, out var progress) && progress.Order.Count > 0))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    break;
                }

                Monitor.Wait(_gate, left);
            }

            var toCommit = new List<TopicPartitionOffset>();
            foreach (var partition in partitions)
            {
                if (_partitions.Remove(partition, out var progress) && progress.NextToCommit is { } next && next > (progress.Committed ?? -1))
                {
                    toCommit.Add(new TopicPartitionOffset(partition, new Offset(next)));
                }
            }

            return toCommit;
        }
    }

    /// <summary>The partitions were lost (session expired): another member may already own them, so nothing is committed.</summary>
    public void Lose(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            foreach (var partition in partitions)
            {
                _partitions.Remove(partition);
            }

            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Records handed out and not yet processed, over all partitions.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _partitions.Values.Sum(p => p.Order.Count);
            }
        }
    }

    /// <summary>The first offset of the partition whose effect is not yet durable, when known.</summary>
    public long? NextToProcess(TopicPartition partition)
    {
        lock (_gate)
        {
            if (!_partitions.TryGetValue(partition, out var progress))
            {
                return null;
            }

            return progress.Order.TryPeek(out var head) ? head : progress.NextToCommit;
        }
    }

    /// <summary>A commit point and the assignment (epoch) it was taken in.</summary>
    public sealed record PendingCommit(TopicPartitionOffset Offset, long Epoch);

    private sealed class Progress(long epoch)
    {
        /// <summary>Which assignment this progress belongs to; a partition revoked and given back starts a new one.</summary>
        public long Epoch { get; } = epoch;

        /// <summary>Handed-out offsets not yet passed by the commit point, in hand-out order.</summary>
        public Queue<long> Order { get; } = new();

        public HashSet<long> Pending { get; } = [];

        /// <summary>Processed offsets still behind an unprocessed one.</summary>
        public HashSet<long> Done { get; } = [];

        public long? NextToCommit { get; set; }

        public long? Committed { get; set; }
    }
}
