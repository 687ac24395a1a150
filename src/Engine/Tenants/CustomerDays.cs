using System.IO.Hashing;
using System.Runtime.InteropServices;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;

namespace SalesDash.Engine.Tenants;

/// <summary>
/// Who bought in each minute a <see cref="KpiState"/> holds, so the live tiles count customers, not orders: distinct
/// buyers in any range of minutes (a store-local day is assembled from UTC minutes when the tiles are asked for, in
/// whatever zone they are asked in), how many of them were new, and the orders of unidentified guests.
/// </summary>
/// <remarks>
/// <para>
/// A buyer is <see cref="HistoryFacts.CustomerKey"/>, the key history's customer figures use, so the live tile and the
/// Customers page agree on who is one person. An order without one is an unidentified guest: counted as a guest order,
/// never as a customer. A cancelled order is not a purchase (as in history): its buyer is not a customer of that day
/// unless another order of theirs stands.
/// </para>
/// <para>
/// A customer is new in a range when the channel says one of their orders in it was their first ever
/// (<see cref="OrderEvent.ReturningCustomer"/> false): the channel knows their whole history, this state only 9 days.
/// </para>
/// <para>
/// Purchases are held per UTC day, one 24-byte entry per standing order, and expire with the minute buckets. Keys are
/// held as 64-bit hashes rather than strings (a busy store holds tens of thousands of orders). Two different buyers of
/// one range share a hash with probability about n²/2⁶⁵: for 100,000 buyers in a day, 3 in 10¹⁰, and the cost is one
/// customer counted short. The order's hash only finds its own entry again among the orders of its minute.
/// </para>
/// </remarks>
internal sealed class CustomerDays
{
    // The hash of an unidentified guest's (empty) key; a real key hashing here is moved to 1 (see KeyHash).
    private const ulong Guest = 0;

    // Purchases by UTC day of their minute: a small store has a handful of lists, not one per hour it sold in; a range
    // (a store-local day) spans two or three of them.
    private const int MinutesPerBucket = 24 * 60;

    private readonly Dictionary<long, List<Purchase>> _days = [];

    // Everything held is at or after this minute; expiry only looks again once the horizon passes it.
    private long _heldFrom = long.MinValue;

    /// <summary>How many standing orders are held, guests included.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// The first minute from which every purchase is held; <see cref="long.MinValue"/> when all are. State recovered from a
    /// snapshot written before customers were held knows no buyer for the minutes before it.
    /// </summary>
    public long CompleteFrom { get; set; } = long.MinValue;

    /// <summary>Takes out the purchase an earlier version of the order made in <paramref name="minute"/>, if it made one.</summary>
    public void Remove(string orderId, long minute)
    {
        if (!_days.TryGetValue(DayOf(minute), out var purchases))
        {
            return;
        }

        var order = IdHash(orderId);
        var at = purchases.FindIndex(p => p.Minute == minute && p.Order == order);
        if (at >= 0)
        {
            purchases.RemoveAt(at);
            Count--;
        }
    }

    /// <summary>Holds the order's purchase in <paramref name="minute"/>; a cancelled order holds none.</summary>
    public void Add(OrderEvent order, long minute)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.CancelledAt is not null)
        {
            return;
        }

        var key = HistoryFacts.CustomerKey(order);
        Hold(new Purchase(IdHash(order.OrderId), key.Length == 0 ? Guest : KeyHash(key), checked((int)minute), checked((byte)order.Channel),
            !order.ReturningCustomer));
    }

    /// <summary>Forgets every purchase placed before <paramref name="horizon"/>, as the minute buckets are forgotten.</summary>
    public void ExpireBefore(long horizon)
    {
        // Called for every event: only when the horizon has moved past what is held is anything looked at.
        if (horizon <= _heldFrom)
        {
            return;
        }

        // Whole days go at once; only the day the horizon falls in is looked at entry by entry.
        var horizonDay = DayOf(horizon);
        foreach (var day in _days.Keys.Where(d => d < horizonDay).ToArray())
        {
            Count -= _days[day].Count;
            _days.Remove(day);
        }

        if (_days.TryGetValue(horizonDay, out var partial))
        {
            Count -= partial.RemoveAll(p => p.Minute < horizon);
        }

        _heldFrom = horizon;
    }

    /// <summary>Customers and guest orders of the minutes from <paramref name="fromMinute"/> to <paramref name="toMinuteInclusive"/>, store-wide and per channel.</summary>
    public CustomerTally Tally(long fromMinute, long toMinuteInclusive)
    {
        var store = new Buyers();
        var channels = new Dictionary<SalesChannel, Buyers>();
        for (var day = DayOf(fromMinute); day <= DayOf(toMinuteInclusive); day++)
        {
            if (!_days.TryGetValue(day, out var purchases))
            {
                continue;
            }

            foreach (var p in purchases)
            {
                if (p.Minute < fromMinute || p.Minute > toMinuteInclusive)
                {
                    continue;
                }

                var channel = (SalesChannel)p.Channel;
                if (!channels.TryGetValue(channel, out var inChannel))
                {
                    inChannel = new Buyers();
                    channels[channel] = inChannel;
                }

                store.Add(p);
                inChannel.Add(p);
            }
        }

        return new CustomerTally(store.Figures(), channels.ToDictionary(kv => kv.Key, kv => kv.Value.Figures()));
    }

    /// <summary>Every purchase held, for persistence snapshots.</summary>
    public IReadOnlyList<CustomerPurchaseSnapshot> ToSnapshot() =>
        [.. _days.OrderBy(kv => kv.Key).SelectMany(kv => kv.Value).OrderBy(p => p.Minute).Select(p =>
            new CustomerPurchaseSnapshot(DateTimeOffset.FromUnixTimeSeconds(p.Minute * 60L), p.Order, p.Customer, (SalesChannel)p.Channel, p.FirstOrder))];

    /// <summary>Holds the purchases of a snapshot.</summary>
    public void Restore(IEnumerable<CustomerPurchaseSnapshot> purchases)
    {
        ArgumentNullException.ThrowIfNull(purchases);
        foreach (var p in purchases)
        {
            Hold(new Purchase(p.Order, p.Customer, checked((int)(p.Minute.ToUnixTimeSeconds() / 60)), checked((byte)p.Channel), p.FirstOrder));
        }
    }

    private void Hold(Purchase purchase)
    {
        var day = DayOf(purchase.Minute);
        if (!_days.TryGetValue(day, out var purchases))
        {
            // Trade has moved on to a new day: the earlier days' lists stop growing, so they give back the spare capacity
            // a doubling list keeps (a quarter of a busy store's purchases on average).
            foreach (var earlier in _days.Where(kv => kv.Key < day))
            {
                earlier.Value.TrimExcess();
            }

            purchases = [];
            _days[day] = purchases;
        }

        _heldFrom = Math.Min(_heldFrom, purchase.Minute);

        purchases.Add(purchase);
        Count++;
    }

    private static long DayOf(long minute) => Math.DivRem(minute, MinutesPerBucket, out var rem) - (rem < 0 ? 1 : 0);

    // The same seedless hash as CompactIdMap: stable across processes, so hashes in a snapshot stay valid after a restart.
    private static ulong IdHash(string id) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(id.AsSpan()));

    private static ulong KeyHash(string key) => IdHash(key) is var hash && hash == Guest ? 1 : hash;

    // 24 bytes: the order (to find this entry again when the order changes), the buyer, the minute, the channel and the flag.
    private readonly record struct Purchase(ulong Order, ulong Customer, int Minute, byte Channel, bool FirstOrder);

    /// <summary>The buyers of a range, each with whether any of their orders in it was their first ever, and the guest orders.</summary>
    private sealed class Buyers
    {
        private readonly Dictionary<ulong, bool> _first = [];
        private long _guests;

        public void Add(Purchase p)
        {
            if (p.Customer == Guest)
            {
                _guests++;
            }
            else
            {
                _first[p.Customer] = p.FirstOrder || _first.GetValueOrDefault(p.Customer);
            }
        }

        public CustomerFigures Figures()
        {
            var fresh = _first.Values.Count(first => first);
            return new CustomerFigures(fresh, _first.Count - fresh, _guests);
        }
    }
}

/// <summary>Customers of a range of minutes: <paramref name="New"/> had a first-ever order in it; guests are orders, not people.</summary>
internal readonly record struct CustomerFigures(long New, long Returning, long GuestOrders);

/// <summary>A range's customers store-wide and per channel (a buyer on two channels is one customer store-wide, one in each channel).</summary>
internal sealed record CustomerTally(CustomerFigures Store, IReadOnlyDictionary<SalesChannel, CustomerFigures> Channels);

/// <summary>One standing order's buyer in a <see cref="KpiSnapshot"/> (format 4): 64-bit hashes of the order id and the buyer's key, 0 for a guest.</summary>
public sealed record CustomerPurchaseSnapshot(DateTimeOffset Minute, ulong Order, ulong Customer, SalesChannel Channel, bool FirstOrder);
