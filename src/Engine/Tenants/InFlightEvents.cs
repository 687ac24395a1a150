using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Tenants;

/// <summary>
/// Events accepted by <see cref="KpiState.Decide"/> that are not durable yet (waiting for the next group write or
/// inside the one being written). Later commands are decided before these are applied, so without this a delivery
/// retried back-to-back would be decided against the same state twice and counted twice.
/// </summary>
internal sealed class InFlightEvents
{
    private readonly HashSet<string> _eventIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _refunds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset Version, string EventId)> _orderVersions = new(StringComparer.Ordinal);

    public int Count => _eventIds.Count;

    /// <summary>
    /// The id of the in-flight event that already covers this one (same id, same refund, or an order version at
    /// least as new), or null. The caller must not answer "duplicate" before that event is durable.
    /// </summary>
    public string? CoveredBy(CommerceEvent commerceEvent)
    {
        if (_eventIds.Contains(commerceEvent.EventId))
        {
            return commerceEvent.EventId;
        }

        return commerceEvent switch
        {
            OrderEvent order when _orderVersions.TryGetValue(order.OrderId, out var held) && order.Version <= held.Version => held.EventId,
            RefundIssued refund when _refunds.TryGetValue(refund.RefundId, out var eventId) => eventId,
            _ => null,
        };
    }

    /// <summary>True when an in-flight event already covers this one.</summary>
    public bool Covers(CommerceEvent commerceEvent) => CoveredBy(commerceEvent) is not null;

    public void Add(CommerceEvent commerceEvent)
    {
        _eventIds.Add(commerceEvent.EventId);
        switch (commerceEvent)
        {
            case OrderEvent order:
                _orderVersions[order.OrderId] = (order.Version, order.EventId);
                break;
            case RefundIssued refund:
                _refunds[refund.RefundId] = refund.EventId;
                break;
        }
    }

    /// <summary>Called once the event is applied, or refused by the journal; from then on the state itself gates repeats.</summary>
    public void Remove(CommerceEvent commerceEvent)
    {
        _eventIds.Remove(commerceEvent.EventId);
        switch (commerceEvent)
        {
            // A newer version of the same order may still be in flight behind this one; keep its gate.
            case OrderEvent order when _orderVersions.TryGetValue(order.OrderId, out var held) && held.EventId == order.EventId:
                _orderVersions.Remove(order.OrderId);
                break;
            case RefundIssued refund when _refunds.TryGetValue(refund.RefundId, out var eventId) && eventId == refund.EventId:
                _refunds.Remove(refund.RefundId);
                break;
        }
    }
}
