using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Ingestion;

/// <summary>
/// The ingestion boundary: a webhook is acknowledged only once this returns, i.e. once the event is durable.
/// The embedded implementation persists through the tenant entity's journal; a Kafka implementation
/// returns once the broker has the event (acks=all).
/// </summary>
public interface ICommerceEventIngest
{
    Task<IngestOutcome> IngestAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken);
}
