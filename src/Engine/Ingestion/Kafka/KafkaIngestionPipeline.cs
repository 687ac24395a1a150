using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Stores;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>
/// One run of the Kafka consumer stream: consumer source → records grouped by partition, each partition's
/// records offered to their entities in offset order with bounded parallelism → commit sink. An offset is
/// committed only after the entity answered <see cref="TenantStore.Recorded"/> (durable), so a crash replays
/// instead of losing, and the entity's dedupe makes the replay harmless.
/// </summary>
public sealed partial class KafkaIngestionPipeline
{
    /// <summary>Upper bound on partitions one consumer can hold at once (GroupBy needs one); topics stay far below it.</summary>
    private const int MaxPartitions = 4096;

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
    /// Consumes until <paramref name="stoppingToken"/> is cancelled, then lets records in flight finish,
    /// commits them and leaves the group. Throws when the stream fails (after committing what is processed),
    /// so the caller can restart it from the last commit.
    /// </summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var tracker = new OffsetTracker();
        await using var driver = new KafkaConsumerDriver(_options, tracker, _logger, _metrics);
        using var lag = _metrics?.Track(driver);
        using var materializer = _system.Materializer(namePrefix: "kafka-ingestion");

        var (killSwitch, completion) = Source.FromGraph(new KafkaConsumerSource(driver))
            .ViaMaterialized(KillSwitches.Single<ConsumedCommerceEvent>(), Keep.Right)
            .Via(RecordInEntities(_shardRegion, _askTimeout, _options.ParallelismPerPartition, _options.RecordAttempts, _logger))
            .ToMaterialized(new KafkaCommitSink(driver, tracker, _options.CommitInterval, _options.CommitBatchSize), Keep.Both)
            .Run(materializer);

        driver.Start();
        await using (stoppingToken.Register(killSwitch.Shutdown))
        {
            await completion;
        }
    }

    /// <summary>
    /// Offers each record to its store's entity and emits it once the entity has made it durable. Records of one
    /// partition are sent in offset order (so one store's events reach its entity in order) with up to
    /// <paramref name="parallelismPerPartition"/> awaiting their answer; partitions do not wait for each other.
    /// </summary>
    public static Flow<ConsumedCommerceEvent, ConsumedCommerceEvent, NotUsed> RecordInEntities(IActorRef shardRegion, TimeSpan askTimeout,
        int parallelismPerPartition, int attempts, ILogger? logger = null) =>
        (Flow<ConsumedCommerceEvent, ConsumedCommerceEvent, NotUsed>)Flow.Create<ConsumedCommerceEvent>()
            .GroupBy(MaxPartitions, consumed => consumed.Offset.Partition.Value)
            .SelectAsync(parallelismPerPartition, consumed => RecordAsync(shardRegion, consumed, askTimeout, attempts, logger ?? NullLogger.Instance))
            .MergeSubstreams();

    private static async Task<ConsumedCommerceEvent> RecordAsync(IActorRef shardRegion, ConsumedCommerceEvent consumed, TimeSpan askTimeout, int attempts, ILogger logger)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Accepted and Duplicate both mean the effect is durable: either way the offset may be committed.
                var recorded = await shardRegion.Ask<TenantStore.Recorded>(new TenantStore.Record(consumed.Event), askTimeout);
                LogRecorded(logger, consumed.Offset.ToString(), consumed.Event.EventId, recorded.Outcome, attempt);
                return consumed;
            }
            catch (StoreDeletedException)
            {
                // The store was deleted with its data: the record will never be stored, so its offset may be committed.
                LogStoreDeleted(logger, consumed.Offset.ToString(), consumed.Event.EventId);
                return consumed;
            }
            catch (Exception e) when (e is AskTimeoutException or EventNotDurableException && attempt < attempts)
            {
                LogAskTimedOut(logger, consumed.Offset.ToString(), consumed.Event.EventId, attempt);
                // The entity may be recovering or moving between nodes; offering again is safe because it dedupes.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Record {Offset} ({EventId}) answered {Outcome} on attempt {Attempt}")]
    private static partial void LogRecorded(ILogger logger, string offset, string eventId, IngestOutcome outcome, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Record {Offset} ({EventId}) is of a deleted store; dropped")]
    private static partial void LogStoreDeleted(ILogger logger, string offset, string eventId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Record {Offset} ({EventId}) not answered in time on attempt {Attempt}; offering it again")]
    private static partial void LogAskTimedOut(ILogger logger, string offset, string eventId, int attempt);
}
