using Confluent.Kafka;
using Microsoft.Extensions.Options;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Quarantine;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>
/// The Kafka ingestion path: writes the event to the topic and returns once every in-sync replica has it
/// (acks=all, idempotent producer). Accepted here means "durable in Kafka"; whether it is a duplicate is
/// decided later by the store's entity when the consumer stream hands it over. Concurrent calls share
/// producer batches (linger), so awaiting each webhook's own delivery report does not serialise them.
/// </summary>
public sealed class KafkaCommerceEventIngest : ICommerceEventIngest, IDisposable
{
    /// <summary>How long disposal waits for records still in the producer's queue.</summary>
    private static readonly TimeSpan FlushOnDispose = TimeSpan.FromSeconds(10);

    private readonly IProducer<string, byte[]> _producer;
    private readonly KafkaOptions _options;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private Task? _topicReady;

    public KafkaCommerceEventIngest(IOptions<KafkaOptions> options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time ?? TimeProvider.System;
        var kafka = options.Value;
        if (!kafka.Enabled)
        {
            throw new InvalidOperationException("Kafka:BootstrapServers is not set; Kafka ingestion cannot start.");
        }

        _options = kafka;
        _producer = new ProducerBuilder<string, byte[]>(ProducerConfigFor(kafka)).Build();
    }

    public async Task<IngestOutcome> IngestAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken)
    {
        // Checked before Kafka has it: once in the topic, every consumer would have to cope with it.
        CommerceEventGuard.EnsureValid(commerceEvent, _time.GetUtcNow());
        var message = new Message<string, byte[]>
        {
            Key = CommerceEventCodec.KeyFor(commerceEvent.Store),
            Value = CommerceEventCodec.Encode(commerceEvent),
        };

        // Once the topic is there, no webhook takes the lock again: 64 concurrent answers queued on it for nothing.
        if (_options.CreateTopic && Volatile.Read(ref _topicReady) is not { IsCompletedSuccessfully: true })
        {
            await EnsureTopicAsync().WaitAsync(cancellationToken);
        }

        try
        {
            // ProduceAsync completes with the delivery report: the one await a 200 has to stand behind.
            await _producer.ProduceAsync(_options.Topic, message, cancellationToken);
        }
        catch (ProduceException<string, byte[]> e)
        {
            // Not in Kafka (delivery timed out while no leader or too few in-sync replicas took it, or refused): nothing was
            // accepted, so the sender is told to deliver it again (503), not that the server broke (500).
            throw new IngestUnavailableException($"Kafka did not take the event {commerceEvent.EventId}: {e.Error.Code}, {e.Error.Reason}", e);
        }

        return IngestOutcome.Accepted;
    }

    // The first webhook can come before the ingestion service has created the topic; a broker that auto-creates
    // it would use its own partition count, so the topic is created here first, once (again only after a failure).
    private Task EnsureTopicAsync()
    {
        lock (_gate)
        {
            if (_topicReady is null || _topicReady.IsFaulted || _topicReady.IsCanceled)
            {
                _topicReady = KafkaTopic.EnsureAsync(_options, CancellationToken.None);
            }

            return _topicReady;
        }
    }

    public void Dispose()
    {
        _producer.Flush(FlushOnDispose);
        _producer.Dispose();
    }

    internal static ProducerConfig ProducerConfigFor(KafkaOptions kafka)
    {
        var config = new ProducerConfig(new Dictionary<string, string>(kafka.Properties, StringComparer.Ordinal))
        {
            BootstrapServers = kafka.BootstrapServers,
            ClientId = $"salesdash-ingest-{Environment.MachineName}",
            // Idempotence gives exactly one copy per produce despite retries, in order per partition; it needs acks=all.
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = kafka.Linger.TotalMilliseconds,
            MessageTimeoutMs = (int)kafka.DeliveryTimeout.TotalMilliseconds,
            // Murmur2 is what Java clients use, so other producers on the same topic put a store on the same partition.
            Partitioner = Partitioner.Murmur2Random,
        };
        // A missing topic is an error to see, not something to create with the broker's default partition count.
        config.Set("allow.auto.create.topics", "false");
        return config;
    }
}
