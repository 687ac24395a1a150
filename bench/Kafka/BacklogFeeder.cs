using Confluent.Kafka;

namespace SalesDash.Bench.Kafka;

/// <summary>
/// How a backlog went in: the produce run, how often the budget held the feeder back, and the fewest records not
/// yet committed by the group when it was let go again (-1 if it never was). Commits trail processing by at most Kafka:CommitBatchSize records (1 000) or Kafka:CommitInterval
/// (500 ms), so that many fewer were still waiting for the engine.
/// </summary>
public sealed record FeedRun(ProduceRun Produced, long LeastWaitingAtRefill, int HeldRefills);

/// <summary>
/// Puts a backlog on the app's topic no further ahead of the consumer group than the broker keeps. librdkafka's
/// mock broker holds only 5 MiB per partition and deletes the oldest records beyond that, read or not (a real
/// broker keeps 7 days by default); one store's 10 000 records are about 9.5 MB in one partition, so produced at
/// once the oldest 4 500 were deleted before the engine reached them. The feeder tops the partition up whenever
/// the group's commit has moved, keeping at most <c>maxUnreadBytes</c> past it, and notes the fewest records not yet
/// committed at a refill: above the commit batch, the engine never waited for the feeder, so the folding rate is the engine's.
/// </summary>
public static class BacklogFeeder
{
    /// <summary>Record and batch framing on top of key and value, rounded up: the unread bytes are overestimated, never under.</summary>
    private const int OverheadPerRecord = 80;

    public static FeedRun Feed(string bootstrapServers, string topic, string group, int partitions, TopicRecord warmup,
        IReadOnlyList<TopicRecord> records, long maxUnreadBytes, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(time);
        if (maxUnreadBytes <= 0)
        {
            var all = RawProducer.Produce(bootstrapServers, topic, warmup, records, time, cancellationToken);
            return new FeedRun(all, -1, 0);
        }

        var config = new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = group };
        config.Set("log_level", "3");
        // Only asks for the group's commits; never subscribes, so it does not join the group.
        using var probe = new ConsumerBuilder<Ignore, Ignore>(config).Build();
        var topicPartitions = Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)).ToList();
        // Everything already in the topic counts as unread until committed: the estimate errs towards waiting.
        var start = topicPartitions.Sum(p => probe.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value);

        var bytesPerRecord = records.Count == 0 ? 1 : (long)Math.Ceiling(records.Average(r => r.Key.Length + r.Value.Length)) + OverheadPerRecord;
        // Small refills keep the partition nearly full: at each one, about seven eighths of the budget is still unread.
        var chunk = (int)Math.Max(1, maxUnreadBytes / 8 / bytesPerRecord);
        var leastWaiting = long.MaxValue;
        var heldRefills = 0;
        ProduceRun? run = null;
        var sent = 1L;
        RawProducer.ProduceChunked(bootstrapServers, topic, warmup, records, chunk, time, beforeChunk: () =>
        {
            for (var held = false; ; held = true)
            {
                var waiting = start + sent - Committed(probe, topicPartitions);
                if ((waiting + chunk) * bytesPerRecord <= maxUnreadBytes)
                {
                    // Only a refill the budget held back says something: the first ones come while the partition fills.
                    if (held)
                    {
                        leastWaiting = Math.Min(leastWaiting, waiting);
                        heldRefills++;
                    }

                    sent += chunk;
                    return;
                }

                cancellationToken.ThrowIfCancellationRequested();
                Thread.Sleep(10);
            }
        }, result => run = result, cancellationToken);
        return new FeedRun(run!, heldRefills > 0 ? leastWaiting : -1, heldRefills);
    }

    private static long Committed(IConsumer<Ignore, Ignore> probe, List<TopicPartition> partitions) =>
        probe.Committed(partitions, TimeSpan.FromSeconds(10)).Sum(o => o.Offset == Offset.Unset ? 0 : o.Offset.Value);
}
