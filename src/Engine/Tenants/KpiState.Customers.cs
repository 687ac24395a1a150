using System.IO.Hashing;
using System.Runtime.InteropServices;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.History;

namespace SalesDash.Engine.Tenants;

// The customer tiles: who bought each standing order, held in the order's own gate entry, so the tiles count people, not orders.
//
// A buyer is HistoryFacts.CustomerKey, the key history's customer figures use, so the live tile and the Customers page agree
// on who is one person. An order without one is an unidentified guest: counted as a guest order, never as a customer. A
// cancelled order is not a purchase (as in history): its buyer is not a customer of that day unless another order of theirs
// stands. A customer is new in a range when the channel says one of their orders in it was their first ever
// (OrderEvent.ReturningCustomer false): the channel knows their whole history, this state only 9 days.
//
// Buyers are held as 64-bit hashes of their key rather than strings (a busy store holds tens of thousands of orders). Two
// different buyers of one range share a hash with probability about n²/2⁶⁵: for 100,000 buyers in a day, 3 in 10¹⁰, and the
// cost is one customer counted short.
public sealed partial class KpiState
{
    // The hash of an unidentified guest's (empty) key; a real key hashing here is moved to 1 (see KeyHash).
    private const ulong Guest = 0;

    // The first minute from which every standing order's buyer is held; long.MinValue when all are.
    private long _customersCompleteFrom = long.MinValue;

    /// <summary>How many standing orders' buyers are held for the customer tiles; bounded by <see cref="BucketRetention"/>.</summary>
    public int HeldPurchaseCount => _orders.ValuesBetween(long.MinValue, long.MaxValue).Count(o => IsPurchase(o.Value));

    /// <summary>The customer figures of today and of last week's same day up to the same time, store-wide and per channel.</summary>
    private CustomerTiles CustomersBetween(long todayFrom, long nowMinute, long lastWeekFrom, long lastWeekTo)
    {
        var today = Tally(todayFrom, nowMinute);
        var lastWeek = Tally(lastWeekFrom, lastWeekTo);
        var complete = _customersCompleteFrom;
        return new CustomerTiles(today, lastWeek, complete > lastWeekFrom ? FromMinute(complete) : null);
    }

    /// <summary>Customers and guest orders of the minutes from <paramref name="fromMinute"/> to <paramref name="toMinuteInclusive"/>, store-wide and per channel.</summary>
    private CustomerTally Tally(long fromMinute, long toMinuteInclusive)
    {
        var store = new Buyers();
        var channels = new Dictionary<SalesChannel, Buyers>();
        foreach (var (_, order) in _orders.ValuesBetween(fromMinute, toMinuteInclusive))
        {
            if (!IsPurchase(order))
            {
                continue;
            }

            var channel = order.Channel!.Value;
            if (!channels.TryGetValue(channel, out var inChannel))
            {
                inChannel = new Buyers();
                channels[channel] = inChannel;
            }

            store.Add(order.Buyer!.Value, !order.Returning);
            inChannel.Add(order.Buyer!.Value, !order.Returning);
        }

        return new CustomerTally(store.Figures(), channels.ToDictionary(kv => kv.Key, kv => kv.Value.Figures()));
    }

    // An order whose buyer is known, on a known channel, and not cancelled: what the customer tiles count.
    private static bool IsPurchase(in OrderContribution order) => !order.Cancelled && order.Buyer is not null && order.Channel is not null;

    private static ulong BuyerOf(OrderEvent order) => HistoryFacts.CustomerKey(order) is { Length: > 0 } key ? KeyHash(key) : Guest;

    // Seedless: stable across processes, so the hashes in a snapshot stay valid after a restart. Snapshots (format 4 on) name
    // each purchase's order by this hash of its id.
    private static ulong PurchaseHash(string id) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(id.AsSpan()));

    private static ulong KeyHash(string key) => PurchaseHash(key) is var hash && hash == Guest ? 1 : hash;

    private KpiSnapshot WithCustomers(KpiSnapshot snapshot) => snapshot with
    {
        // Still written as a list beside the orders, so that a snapshot reads the same whichever version wrote it.
        Purchases = [.. _orders.Entries().Where(o => IsPurchase(o.Value)).OrderBy(o => o.Minute).Select(o =>
            new CustomerPurchaseSnapshot(FromMinute(o.Minute), PurchaseHash(o.Id), o.Value.Buyer!.Value, o.Value.Channel!.Value, !o.Value.Returning))],
        CustomersCompleteFrom = _customersCompleteFrom == long.MinValue ? null : FromMinute(_customersCompleteFrom),
    };

    /// <summary>Each held purchase's buyer by its order's hash and minute; empty for a snapshot written before buyers were kept.</summary>
    private static Dictionary<(ulong Order, long Minute), ulong> BuyersOf(KpiSnapshot snapshot)
    {
        var buyers = new Dictionary<(ulong, long), ulong>();
        foreach (var p in snapshot.Format < 4 ? [] : snapshot.Purchases ?? [])
        {
            buyers.TryAdd((p.Order, ToMinute(p.Minute)), p.Customer);
        }

        return buyers;
    }

    private void RestoreCustomers(KpiSnapshot snapshot)
    {
        if (snapshot.Format < 4)
        {
            // Written before buyers were kept: the orders it holds name nobody, so customers are counted from the
            // next minute on, and the tiles say so (CustomersCountedFrom) instead of passing a part for the whole.
            _customersCompleteFrom = _watermarkMinute == long.MinValue ? long.MinValue : _watermarkMinute + 1;
            return;
        }

        _customersCompleteFrom = snapshot.CustomersCompleteFrom is { } from ? ToMinute(from) : long.MinValue;
    }

    /// <summary>The buyers of a range, each with whether any of their orders in it was their first ever, and the guest orders.</summary>
    private sealed class Buyers
    {
        private readonly Dictionary<ulong, bool> _first = [];
        private long _guests;

        public void Add(ulong buyer, bool firstOrder)
        {
            if (buyer == Guest)
            {
                _guests++;
            }
            else
            {
                _first[buyer] = firstOrder || _first.GetValueOrDefault(buyer);
            }
        }

        public CustomerFigures Figures()
        {
            var fresh = _first.Values.Count(first => first);
            return new CustomerFigures(fresh, _first.Count - fresh, _guests);
        }
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

/// <summary>Customers of a range of minutes: <paramref name="New"/> had a first-ever order in it; guests are orders, not people.</summary>
internal readonly record struct CustomerFigures(long New, long Returning, long GuestOrders);

/// <summary>A range's customers store-wide and per channel (a buyer on two channels is one customer store-wide, one in each channel).</summary>
internal sealed record CustomerTally(CustomerFigures Store, IReadOnlyDictionary<SalesChannel, CustomerFigures> Channels);

/// <summary>One standing order's buyer in a <see cref="KpiSnapshot"/> (format 4): 64-bit hashes of the order id and the buyer's key, 0 for a guest.</summary>
public sealed record CustomerPurchaseSnapshot(DateTimeOffset Minute, ulong Order, ulong Customer, SalesChannel Channel, bool FirstOrder);
