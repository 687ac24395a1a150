using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;

namespace SalesDash.Engine.Tenants;

// The customer tiles: who bought, kept beside the minute buckets (see CustomerDays) so the tiles count people, not orders.
public sealed partial class KpiState
{
    private readonly CustomerDays _customers = new();

    /// <summary>How many standing orders' buyers are held for the customer tiles; bounded by <see cref="BucketRetention"/>.</summary>
    public int HeldPurchaseCount => _customers.Count;

    /// <summary>An order's earlier version bought nothing more; its new version, if it stands, buys in <paramref name="minute"/>.</summary>
    private void MoveCustomer(OrderEvent order, long? previousMinute, long? minute)
    {
        if (previousMinute is { } before)
        {
            _customers.Remove(order.OrderId, before);
        }

        if (minute is { } now)
        {
            _customers.Add(order, now);
        }
    }

    /// <summary>The customer figures of today and of last week's same day up to the same time, store-wide and per channel.</summary>
    private CustomerTiles CustomersBetween(long todayFrom, long nowMinute, long lastWeekFrom, long lastWeekTo)
    {
        var today = _customers.Tally(todayFrom, nowMinute);
        var lastWeek = _customers.Tally(lastWeekFrom, lastWeekTo);
        var complete = _customers.CompleteFrom;
        return new CustomerTiles(today, lastWeek, complete > lastWeekFrom ? FromMinute(complete) : null);
    }

    private KpiSnapshot WithCustomers(KpiSnapshot snapshot) => snapshot with
    {
        Purchases = _customers.ToSnapshot(),
        CustomersCompleteFrom = _customers.CompleteFrom == long.MinValue ? null : FromMinute(_customers.CompleteFrom),
    };

    private void RestoreCustomers(KpiSnapshot snapshot)
    {
        if (snapshot.Format < 4)
        {
            // Written before buyers were kept: the orders it holds name nobody, so customers are counted from the
            // next minute on, and the tiles say so (CustomersCountedFrom) instead of passing a part for the whole.
            _customers.CompleteFrom = _watermarkMinute == long.MinValue ? long.MinValue : _watermarkMinute + 1;
            return;
        }

        _customers.CompleteFrom = snapshot.CustomersCompleteFrom is { } from ? ToMinute(from) : long.MinValue;
        _customers.Restore(snapshot.Purchases ?? []);
    }

    private sealed record CustomerTiles(CustomerTally Today, CustomerTally LastWeek, DateTimeOffset? CountedFrom)
    {
        public KpiTile New => new(Today.Store.New, LastWeek.Store.New);

        public KpiTile Returning => new(Today.Store.Returning, LastWeek.Store.Returning);

        public KpiTile Guests => new(Today.Store.GuestOrders, LastWeek.Store.GuestOrders);

        public (KpiTile New, KpiTile Returning, KpiTile Guests) Of(SalesChannel channel)
        {
            var t = Today.Channels.GetValueOrDefault(channel);
            var w = LastWeek.Channels.GetValueOrDefault(channel);
            return (new(t.New, w.New), new(t.Returning, w.Returning), new(t.GuestOrders, w.GuestOrders));
        }
    }
}
