using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Tenants;

/// <summary>
/// Events accepted by <see cref="KpiState.Decide"/> whose PersistAsync handler has not run yet. PersistAsync
/// lets the next command in before the previous one is applied, so without this a delivery retried
/// back-to-back would be decided against the same state twice and counted twice.
/// </summary>
internal sealed class InFlightEvents
{
    private readonly HashSet<string> _eventIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _refundIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _orderVersions = new(StringComparer.Ordinal);

    public int Count => _eventIds.Count;

    /// <summary>True when an in-flight event already covers this one (same id, refund, or an order version at least as new).</summary>
    public bool Covers(CommerceEvent commerceEvent) =>
        _eventIds.Contains(commerceEvent.EventId) || commerceEvent switch
        {
            OrderEvent order => _orderVersions.TryGetValue(order.OrderId, out var version) && order.Version <= version,
            RefundIssued refund => _refundIds.Contains(refund.RefundId),
            _ => false,
        };

    public void Add(CommerceEvent commerceEvent)
    {
        _eventIds.Add(commerceEvent.EventId);
        switch (commerceEvent)
        {
            case OrderEvent order:
                _orderVersions[order.OrderId] = order.Version;
                break;
            case RefundIssued refund:
                _refundIds.Add(refund.RefundId);
                break;
        }
    }

    /// <summary>Called once the event is applied; from then on the state itself gates repeats.</summary>
    public void Remove(CommerceEvent commerceEvent)
    {
        _eventIds.Remove(commerceEvent.EventId);
        switch (commerceEvent)
        {
            // A newer version of the same order may still be in flight behind this one; keep its gate.
            case OrderEvent order when _orderVersions.TryGetValue(order.OrderId, out var version) && version == order.Version:
                _orderVersions.Remove(order.OrderId);
                break;
            case RefundIssued refund:
                _refundIds.Remove(refund.RefundId);
                break;
        }
    }
}
