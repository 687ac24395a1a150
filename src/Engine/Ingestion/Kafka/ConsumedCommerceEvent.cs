using Confluent.Kafka;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>
/// One event read from the topic, with where it came from so its offset can be committed once processed. The partition
/// is the consumer's one instance per partition and the offset a plain number: a <see cref="TopicPartitionOffset"/> per
/// record (and the <see cref="TopicPartition"/> its property builds on each read) was about 70 bytes a folded record.
/// </summary>
public sealed record ConsumedCommerceEvent(CommerceEvent Event, TopicPartition Partition, long Position)
{
    /// <summary>The record's position as Confluent.Kafka names it; built on each read, so not for the per-record path.</summary>
    public TopicPartitionOffset Offset => new(Partition, Position);
}
