using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.Tests.Shopify.Replay;

/// <summary>
/// The dedupe rules the engine promises (ICommerceEventIngest): a repeated event id counts once, and an order
/// version not newer than the one held changes nothing. Small enough to check the replay against by eye.
/// </summary>
internal static class TileFold
{
    public static (decimal Gross, int Orders, int Units, decimal Refunds, int Returning) Apply(IEnumerable<CommerceEvent> events)
    {
        var seen = new HashSet<string>();
        var orders = new Dictionary<string, OrderEvent>();
        var refunds = 0m;
        foreach (var commerceEvent in events)
        {
            if (!seen.Add(commerceEvent.EventId))
            {
                continue;
            }

            switch (commerceEvent)
            {
                case OrderEvent order when !orders.TryGetValue(order.OrderId, out var held) || order.Version > held.Version:
                    orders[order.OrderId] = order;
                    break;
                case RefundIssued refund:
                    refunds += refund.Amount;
                    break;
            }
        }

        return (
            orders.Values.Sum(o => o.TotalPrice),
            orders.Count,
            orders.Values.Sum(o => o.Lines.Sum(l => l.Quantity)),
            refunds,
            orders.Values.Count(o => o.ReturningCustomer));
    }
}
