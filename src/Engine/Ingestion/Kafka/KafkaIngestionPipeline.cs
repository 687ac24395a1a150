using System.Collections.Concurrent;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Stores;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>
/// One run of the Kafka consumer stream: consumer source (one element per poll) → each poll split by partition, and
/// each partition's records handed to their stores' entities, one <see cref="TenantStore.RecordBatch"/> per store per
/// poll in offset order, with bounded parallelism → commit sink. Entities fold a batch without journaling it (Kafka is
/// the log) and checkpoint later; a record's offset is committed only once its entity's checkpoint covers it
/// (<see cref="CheckpointBook"/>, asked for every <see cref="KafkaOptions.CheckpointInterval"/>), so a crash replays
/// from below every checkpoint instead of losing, and the entities skip what their checkpoint already holds.
/// </summary>
public sealed partial class KafkaIngestionPipeline
{
    /// <summary>Upper bound on partitions one consumer can hold at once (GroupBy needs one); topics stay far below it.</summary>
    private const int MaxPartitions = 4096;

    /// <summary>Kinds of answer an entity gives a record: the size of the counting array per delivery.</summary>
    private static readonly int OutcomeCount = Enum.GetValues<IngestOutcome>().Max(o => (int)o) + 1;

    private readonly KafkaOptions _options;
    private readonly IActorRef _shardRegion;
    private readonly TimeSpan _askTimeout;
    private readonly ActorSystem _system;
    private readonly ILogger _logger;
    private readonly KafkaIngestionMetrics? _metrics;

    public KafkaIngestionPipeline(KafkaOptions options, IActorRef shardRegion, TimeSpan askTimeout, ActorSystem system,
        ILogger logger, KafkaIngestionMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            throw new ArgumentException("Kafka:BootstrapServers is not set.", nameof(options));
        }

        _options = options;
        _shardRegion = shardRegion;
        _askTimeout = askTimeout;
        _system = system;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>
    /// Consumes until <paramref name="stoppingToken"/> is cancelled, then lets deliveries in flight finish, has the
    /// entities checkpoint what they folded, commits it and leaves the group. Throws when the stream fails (after the
    /// same checkpoint and commit), so the caller can restart it from the last commit.
    /// </summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var tracker = new OffsetTracker();
        var book = new CheckpointBook(tracker);
        using var checkpointNow = new SemaphoreSlim(0);
        var delivery = new EntityDelivery(_shardRegion, _askTimeout, _options, tracker, book, _logger, _metrics, stoppingToken);
        await using var driver = new KafkaConsumerDriver(_options, tracker, _logger, _metrics, revoking: () => checkpointNow.Release());
        using var lag = _metrics?.Track(driver);
        using var materializer = _system.Materializer(namePrefix: "kafka-ingestion");

        var (killSwitch, completion) = Source.FromGraph(new KafkaConsumerSource(driver))
            .ViaMaterialized(KillSwitches.Single<IReadOnlyList<ConsumedCommerceEvent>>(), Keep.Right)
            .Via(delivery.Flow())
            .ToMaterialized(new KafkaCommitSink(driver, tracker, _options.CommitInterval, _options.CommitBatchSize), Keep.Both)
            .Run(materializer);

        using var stopCheckpoints = new CancellationTokenSource();
        var checkpoints = CheckpointPeriodicallyAsync(delivery, checkpointNow, stopCheckpoints.Token);
        driver.Start();
        try
        {
            await using (stoppingToken.Register(killSwitch.Shutdown))
            {
                await completion;
            }
        }
        finally
        {
            await stopCheckpoints.CancelAsync();
            await checkpoints.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            // Whatever ended the stream, what the entities folded is made durable and committed (the driver commits
            // the tracker's last commit point as it leaves), so the next owner replays only what was never folded.
            await delivery.CheckpointAllAsync();
        }
    }

    private static async Task CheckpointPeriodicallyAsync(EntityDelivery delivery, SemaphoreSlim now, CancellationToken stop)
    {
        var interval = delivery.CheckpointInterval;
        while (!stop.IsCancellationRequested)
        {
            // A revoke does not wait for the interval: the partitions' records must be durable before they go, all of them.
            bool revoking;
            try
            {
                revoking = await now.WaitAsync(interval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await delivery.CheckpointAllAsync(revoking || delivery.CheckpointMaxAge == TimeSpan.Zero ? null : delivery.CheckpointMaxAge);
        }
    }

    /// <summary>
    /// Hands each poll's records to their entities and books what they folded. One store's records of one partition
    /// reach its entity in offset order; each delivery names the last offset delivered before it, so an entity that
    /// missed one (it stopped with it in its mailbox) answers with a gap rather than fold past records it never saw.
    /// </summary>
    private sealed class EntityDelivery(IActorRef shardRegion, TimeSpan askTimeout, KafkaOptions options, OffsetTracker tracker, CheckpointBook book, ILogger logger,
        KafkaIngestionMetrics? metrics, CancellationToken stopping)
    {
        private readonly ConcurrentDictionary<(TopicPartition, StoreRef), Link> _links = new();

        /// <summary>Each partition's key, built once: with many stores there is about one delivery per record.</summary>
        private readonly ConcurrentDictionary<TopicPartition, string> _partitionKeys = new();

        public TimeSpan CheckpointInterval => options.CheckpointInterval;

        public TimeSpan CheckpointMaxAge => options.CheckpointMaxAge;

        public Flow<IReadOnlyList<ConsumedCommerceEvent>, int, NotUsed> Flow() =>
            (Flow<IReadOnlyList<ConsumedCommerceEvent>, int, NotUsed>)Akka.Streams.Dsl.Flow.Create<IReadOnlyList<ConsumedCommerceEvent>>()
                .SelectMany(ByPartition)
                .GroupBy(MaxPartitions, slice => slice[0].Partition.Partition.Value)
                .SelectAsync(options.ParallelismPerPartition, DeliverAsync)
                .MergeSubstreams();

        /// <summary>Delivers one partition's records of a poll, one message per store (split at <see cref="KafkaOptions.MaxRecordsPerDelivery"/>).</summary>
        private async Task<int> DeliverAsync(ConsumedCommerceEvent[] slice)
        {
            var partition = slice[0].Partition;
            var epoch = tracker.EpochOf(partition) ?? -1;
            var deliveries = new List<Task>();
            foreach (var (store, records) in ByStore(slice))
            {
                for (var from = 0; from < records.Count; from += options.MaxRecordsPerDelivery)
                {
                    // The entity's records and the book's offsets, built straight from the slice: no chunk copied first.
                    var count = Math.Min(options.MaxRecordsPerDelivery, records.Count - from);
                    var events = new TenantStore.PositionedEvent[count];
                    var offsets = new long[count];
                    for (var i = 0; i < count; i++)
                    {
                        var record = records[from + i];
                        events[i] = new TenantStore.PositionedEvent(record.Position, record.Event);
                        offsets[i] = record.Position;
                    }

                    // Called in order for a partition, so the links of one store chain its deliveries in offset order.
                    var key = (partition, store);
                    var previous = _links.TryGetValue(key, out var link) && link.Epoch == epoch ? link : null;
                    var task = DeliverAsync(partition, store, previous, events, offsets);
                    _links[key] = new Link(epoch, offsets[^1], task);
                    deliveries.Add(task);
                }
            }

            await Task.WhenAll(deliveries);
            return slice.Length;
        }

        private async Task DeliverAsync(TopicPartition partition, StoreRef store, Link? previous, TenantStore.PositionedEvent[] records, long[] offsets)
        {
            var batch = new TenantStore.RecordBatch(store, KeyOf(partition), previous?.LastOffset ?? -1, records);
            var gaps = 0;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var answer = await shardRegion.Ask<TenantStore.BatchRecorded>(batch, askTimeout);
                    if (answer.Gap)
                    {
                        // Only gaps count towards the limit: time-outs before one said nothing about the delivery before it.
                        if (++gaps >= options.RecordAttempts)
                        {
                            throw new InvalidOperationException(
                                $"The entity of {store} missed a delivery of {partition} before offset {offsets[0]}; restarting from the last commit.");
                        }

                        // The delivery before this one is still on its way (being offered again); follow it.
                        LogGap(logger, store.ToString(), partition.ToString(), offsets[0], attempt);
                        await (previous?.Delivered ?? Task.CompletedTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                        continue;
                    }

                    book.Folded(partition, store, offsets, answer.Durable);
                    if (metrics is not null)
                    {
                        CountOutcomes(metrics, partition.Topic, answer.Outcomes);
                    }

                    // Guarded: with many stores there is about one delivery per record, and the arguments are strings built per call.
                    if (logger.IsEnabled(LogLevel.Debug))
                    {
                        LogFolded(logger, store.ToString(), partition.ToString(), offsets[0], offsets.Length, attempt);
                    }

                    return;
                }
                catch (StoreDeletedException)
                {
                    // The store was deleted with its data: the records will never be stored, so their offsets may be committed.
                    LogStoreDeleted(logger, partition.ToString(), offsets[0], offsets.Length, store.ToString());
                    foreach (var offset in offsets)
                    {
                        tracker.Processed(partition, offset);
                    }

                    return;
                }
                catch (AskTimeoutException) when (!stopping.IsCancellationRequested)
                {
                    // The entity may be recovering (a backlog over many new stores starts them by the hundred) or moving
                    // between nodes. Offering again is safe (it skips offsets it holds) and holds this partition back
                    // meanwhile; failing the stream instead would restart it from the last commit and redeliver every
                    // partition's records to the same entities that are still starting.
                    metrics?.AskTimedOut(partition.Topic);
                    LogAskTimedOut(logger, partition.ToString(), offsets[0], offsets.Length, attempt);
                }
            }
        }

        /// <summary>
        /// Asks every entity with folded records not yet known durable to checkpoint them, and books the answers. With
        /// <paramref name="maxAge"/>, only those whose records have waited that long; the others are asked in a later round.
        /// </summary>
        public async Task CheckpointAllAsync(TimeSpan? maxAge = null)
        {
            var waiting = book.Waiting(maxAge);
            if (waiting.Count == 0)
            {
                return;
            }

            await Task.WhenAll(waiting.Select(async w =>
            {
                try
                {
                    var answer = await shardRegion.Ask<TenantStore.Checkpointed>(new TenantStore.Checkpoint(w.Store, KeyOf(w.Partition)), askTimeout);
                    book.Durable(w.Partition, w.Store, answer.Durable);
                }
#pragma warning disable CA1031 // A checkpoint not answered now is asked for again next round; the records stay uncommitted meanwhile.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    LogCheckpointFailed(logger, e, w.Store.ToString(), w.Partition.ToString());
                }
            }));
        }

        private string KeyOf(TopicPartition partition) => _partitionKeys.GetOrAdd(partition, PartitionKey);

        private sealed record Link(long Epoch, long LastOffset, Task Delivered);
    }

    /// <summary>
    /// A poll's records split by partition, each slice in offset order, slices in the order their partitions first appear
    /// (as <c>GroupBy</c> gave them). Counted first, so each slice is one array of its final size: <c>GroupBy</c> grew an
    /// array per partition by doubling, copied it once more, and read a new <see cref="TopicPartition"/> per record for its key.
    /// </summary>
    internal static List<ConsumedCommerceEvent[]> ByPartition(IReadOnlyList<ConsumedCommerceEvent> poll)
    {
        var slices = new List<ConsumedCommerceEvent[]>();
        if (poll.Count == 0)
        {
            return slices;
        }

        // Partition number → its slice's index; the consumer reads one topic, so the number names the partition.
        var index = new Dictionary<int, int>();
        var counts = new List<int>();
        foreach (var consumed in poll)
        {
            ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(index, consumed.Partition.Partition.Value, out var exists);
            if (!exists)
            {
                slot = counts.Count;
                counts.Add(0);
            }

            counts[slot]++;
        }

        var filled = new int[counts.Count];
        foreach (var count in counts)
        {
            slices.Add(new ConsumedCommerceEvent[count]);
        }

        foreach (var consumed in poll)
        {
            var slot = index[consumed.Partition.Partition.Value];
            slices[slot][filled[slot]++] = consumed;
        }

        return slices;
    }

    /// <summary>
    /// A partition slice's records by store, in offset order, stores in the order they first appear. One store's slice (a
    /// busy store's backlog) is handed back whole instead of being copied into a group.
    /// </summary>
    internal static IEnumerable<(StoreRef Store, IReadOnlyList<ConsumedCommerceEvent> Records)> ByStore(ConsumedCommerceEvent[] slice)
    {
        var first = slice[0].Event.Store;
        var oneStore = true;
        foreach (var consumed in slice)
        {
            // The consumer shares one StoreRef among a store's records in a row (RecentTexts), so most compare by reference.
            if (!ReferenceEquals(consumed.Event.Store, first) && !consumed.Event.Store.Equals(first))
            {
                oneStore = false;
                break;
            }
        }

        return oneStore
            ? [(first, slice)]
            : slice.GroupBy(consumed => consumed.Event.Store).Select(g => (g.Key, (IReadOnlyList<ConsumedCommerceEvent>)g.ToArray()));
    }

    /// <summary>Adds a delivery's outcomes to the counters, one add per outcome present.</summary>
    private static void CountOutcomes(KafkaIngestionMetrics metrics, string topic, IReadOnlyList<IngestOutcome> outcomes)
    {
        Span<long> counts = stackalloc long[OutcomeCount];
        foreach (var outcome in outcomes)
        {
            counts[(int)outcome]++;
        }

        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0)
            {
                metrics.Folded(topic, (IngestOutcome)i, counts[i]);
            }
        }
    }

    /// <summary>How an entity names a partition in its checkpoint: topic and partition, so two topics never share offsets.</summary>
    public static string PartitionKey(TopicPartition partition)
    {
        ArgumentNullException.ThrowIfNull(partition);
        return $"{partition.Topic}/{partition.Partition.Value}";
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Store}: {Count} records of {Partition} from {Offset} folded on attempt {Attempt}")]
    private static partial void LogFolded(ILogger logger, string store, string partition, long offset, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} records of {Partition} from {Offset} are of a deleted store {Store}; dropped")]
    private static partial void LogStoreDeleted(ILogger logger, string partition, long offset, int count, string store);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} records of {Partition} from {Offset} not answered in time on attempt {Attempt}; offering them again")]
    private static partial void LogAskTimedOut(ILogger logger, string partition, long offset, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Store} missed the delivery before offset {Offset} of {Partition} (attempt {Attempt}); offering it again after that one")]
    private static partial void LogGap(ILogger logger, string store, string partition, long offset, int attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Checkpoint of {Store} on {Partition} not answered; asking again next round")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception, string store, string partition);
}
