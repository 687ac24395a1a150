using Confluent.Kafka;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>One event read from the topic, with where it came from so its offset can be committed once processed.</summary>
public sealed record ConsumedCommerceEvent(CommerceEvent Event, TopicPartitionOffset Offset);
