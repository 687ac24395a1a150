using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Telemetry;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>
/// Ingestion metrics on the "SalesDash.Ingestion" meter. Consumer lag is the number of records in Kafka that
/// the engine has not yet made durable, per held partition: it grows while the engine falls behind (Kafka
/// buffers) and returns to zero once it catches up.
/// </summary>
public sealed class KafkaIngestionMetrics : HostedMeter
{
    public const string MeterName = "SalesDash.Ingestion";
    public const string ConsumerLagInstrument = "salesdash.kafka.consumer_lag";
    public const string RecordsLostInstrument = "salesdash.kafka.records_lost";
    public const string RecordsUndecodableInstrument = "salesdash.kafka.records_undecodable";
    public const string RecordsFoldedInstrument = "salesdash.kafka.records_folded";
    public const string DeliveriesTimedOutInstrument = "salesdash.kafka.deliveries_timed_out";

    private readonly ConcurrentDictionary<KafkaConsumerDriver, string> _consumers = new();
    private readonly Counter<long> _recordsLost;
    private readonly Counter<long> _recordsUndecodable;
    private readonly Counter<long> _recordsFolded;
    private readonly Counter<long> _deliveriesTimedOut;

    /// <summary>Uses the host's meter factory when there is one, so the meter is disposed with the host.</summary>
    public KafkaIngestionMetrics(IMeterFactory? meterFactory = null)
        : base(MeterName, meterFactory)
    {
        Meter.CreateObservableGauge(ConsumerLagInstrument, ObserveLag, unit: "{record}",
            description: "Records in Kafka not yet made durable by the engine, per partition.");
        _recordsLost = Meter.CreateCounter<long>(RecordsLostInstrument, unit: "{record}",
            description: "Records Kafka deleted (retention) before the engine processed them: events the dashboard never counted. Alert on any increase.");
        _recordsUndecodable = Meter.CreateCounter<long>(RecordsUndecodableInstrument, unit: "{record}",
            description: "Records skipped because they are not a commerce event this engine knows (e.g. written by a newer producer). Alert on any increase.");
        _recordsFolded = Meter.CreateCounter<long>(RecordsFoldedInstrument, unit: "{record}",
            description: "Records the entities answered, by outcome (accepted, duplicate, quarantined): the fold rate, and how much of it was redelivery.");
        _deliveriesTimedOut = Meter.CreateCounter<long>(DeliveriesTimedOutInstrument, unit: "{delivery}",
            description: "Deliveries an entity did not answer within the ask time-out and that were offered again: entities starting or overloaded.");
    }

    internal void RecordsLost(string topic, int partition, long count) =>
        _recordsLost.Add(count, new KeyValuePair<string, object?>("topic", topic), new KeyValuePair<string, object?>("partition", partition));

    internal void RecordUndecodable(string topic, int partition) =>
        _recordsUndecodable.Add(1, new KeyValuePair<string, object?>("topic", topic), new KeyValuePair<string, object?>("partition", partition));

    internal void Folded(string topic, IngestOutcome outcome, long count) =>
        _recordsFolded.Add(count, new KeyValuePair<string, object?>("topic", topic), new KeyValuePair<string, object?>("outcome", outcome.ToString()));

    internal void AskTimedOut(string topic) => _deliveriesTimedOut.Add(1, new KeyValuePair<string, object?>("topic", topic));

    internal IDisposable Track(KafkaConsumerDriver driver)
    {
        _consumers[driver] = driver.Topic;
        return new Registration(() => _consumers.TryRemove(driver, out _));
    }

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        foreach (var (driver, topic) in _consumers)
        {
            foreach (var (partition, lag) in driver.Lag)
            {
                yield return new Measurement<long>(lag,
                    new KeyValuePair<string, object?>("topic", topic),
                    new KeyValuePair<string, object?>("partition", partition.Partition.Value));
            }
        }
    }

    private sealed class Registration(Action release) : IDisposable
    {
        public void Dispose() => release();
    }
}
