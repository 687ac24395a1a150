using System.Numerics;
using System.Runtime.InteropServices;

namespace SalesDash.Engine.Tenants;

/// <summary>One minute's totals of one series (a channel, or the minutes of unknown channel), as a value.</summary>
internal struct MinuteTotals
{
    public decimal Gross;
    public decimal Refunds;
    public int Orders;
    public int Units;
    public int NewCustomerOrders;
    public int ReturningCustomerOrders;
    public int CancelledOrders;
    public int Sessions;
    public decimal AdSpend;

    public readonly bool IsEmpty => Gross == 0m && Refunds == 0m && Orders == 0 && Units == 0 && NewCustomerOrders == 0
        && ReturningCustomerOrders == 0 && CancelledOrders == 0 && Sessions == 0 && AdSpend == 0m;

    /// <summary>Adds <paramref name="other"/> times <paramref name="sign"/> (+1 or -1).</summary>
    public void Add(in MinuteTotals other, int sign = 1)
    {
        Gross += sign * other.Gross;
        Refunds += sign * other.Refunds;
        Orders += sign * other.Orders;
        Units += sign * other.Units;
        NewCustomerOrders += sign * other.NewCustomerOrders;
        ReturningCustomerOrders += sign * other.ReturningCustomerOrders;
        CancelledOrders += sign * other.CancelledOrders;
        Sessions += sign * other.Sessions;
        AdSpend += sign * other.AdSpend;
    }

    public readonly MinuteBucketSnapshot ToSnapshot(DateTimeOffset minute) =>
        new(minute, Gross, Refunds, Orders, Units, NewCustomerOrders, ReturningCustomerOrders, CancelledOrders, Sessions, AdSpend);

    public static MinuteTotals From(MinuteBucketSnapshot snapshot) => new()
    {
        Gross = snapshot.GrossRevenue,
        Refunds = snapshot.Refunds,
        Orders = snapshot.Orders,
        Units = snapshot.Units,
        NewCustomerOrders = snapshot.NewCustomerOrders,
        ReturningCustomerOrders = snapshot.ReturningCustomerOrders,
        CancelledOrders = snapshot.CancelledOrders,
        Sessions = snapshot.Sessions,
        AdSpend = snapshot.AdSpend,
    };
}

/// <summary>
/// The minutes of one series (a channel, or the minutes of unknown channel), by UTC minute number: held one by one while
/// the series is sparse, in hour pages of columns once it is dense.
/// </summary>
/// <remarks>
/// A dictionary of minute objects cost about 130 bytes per minute (an 88-byte object, its entry and the table's slack),
/// and a busy store holds tens of thousands of channel minutes over its 9 days. Hour pages of columns cost far less per
/// minute when most minutes of an hour are held (a selling channel at the peak, an analytics channel's sessions), but a
/// page is about 2 KB whatever it holds, so a sparse series (a small store: one order here and there) keeps its minutes
/// as values in one dictionary (about 100 bytes each, no object per minute) and moves to pages when it holds on average
/// more than 25 minutes an hour of its retention. A minute is held from its first event until it ages out, even when
/// edits bring it back to zero, in either form.
/// </remarks>
internal sealed class MinuteSeries
{
    /// <summary>25 minutes an hour over 9 days: from here on a page holds its minutes in less than dictionary entries would.</summary>
    public const int DefaultDenseFrom = 25 * 24 * 9;

    private readonly int _denseFrom;
    private Dictionary<long, MinuteTotals>? _sparse = [];
    private PagedMinutes? _paged;

    public MinuteSeries()
        : this(DefaultDenseFrom)
    {
    }

    /// <summary>A series that moves to pages at <paramref name="denseFrom"/> minutes; tests pass a small number.</summary>
    internal MinuteSeries(int denseFrom)
    {
        _denseFrom = denseFrom;
    }

    /// <summary>Whether the minutes are held in hour pages.</summary>
    internal bool IsPaged => _paged is not null;

    /// <summary>How many minutes are held.</summary>
    public int Count => _sparse?.Count ?? _paged!.Count;

    /// <summary>Whether the minute is held.</summary>
    public bool Contains(long minute) => _sparse?.ContainsKey(minute) ?? _paged!.Contains(minute);

    /// <summary>The minute's totals when it is held.</summary>
    public bool TryGet(long minute, out MinuteTotals totals) =>
        _sparse is not null ? _sparse.TryGetValue(minute, out totals) : _paged!.TryGet(minute, out totals);

    /// <summary>Adds <paramref name="delta"/> times <paramref name="sign"/> to the minute, holding it from now on if it was not.</summary>
    public void Add(long minute, in MinuteTotals delta, int sign = 1)
    {
        if (_sparse is null)
        {
            _paged!.Add(minute, delta, sign);
            return;
        }

        ref var held = ref CollectionsMarshal.GetValueRefOrAddDefault(_sparse, minute, out _);
        held.Add(delta, sign);
        if (_sparse.Count >= _denseFrom)
        {
            var paged = new PagedMinutes();
            foreach (var (m, totals) in _sparse)
            {
                paged.Add(m, totals);
            }

            _paged = paged;
            _sparse = null;
        }
    }

    /// <summary>Forgets every minute before <paramref name="horizon"/>.</summary>
    public void RemoveBefore(long horizon)
    {
        if (_sparse is null)
        {
            _paged!.RemoveBefore(horizon);
            return;
        }

        foreach (var minute in _sparse.Keys.Where(m => m < horizon).ToArray())
        {
            _sparse.Remove(minute);
        }
    }

    /// <summary>The earliest minute held; null when none is.</summary>
    public long? Earliest => _sparse is null ? _paged!.Earliest : _sparse.Count == 0 ? null : _sparse.Keys.Min();

    /// <summary>Every minute held with its totals, earliest first.</summary>
    public IEnumerable<(long Minute, MinuteTotals Totals)> Minutes() =>
        _sparse is null ? _paged!.Minutes() : _sparse.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value)).ToArray();

    /// <summary>The minutes held in [<paramref name="from"/>, <paramref name="toInclusive"/>], earliest first.</summary>
    public IEnumerable<(long Minute, MinuteTotals Totals)> Between(long from, long toInclusive)
    {
        if (_sparse is null)
        {
            return _paged!.Between(from, toInclusive);
        }

        return _sparse.Where(kv => kv.Key >= from && kv.Key <= toInclusive).OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value)).ToArray();
    }
}

/// <summary>A dense series' minutes in hour pages whose figures are columns, allocated only for what the hour recorded.</summary>
internal sealed class PagedMinutes
{
    private const int MinutesPerPage = 60;

    private readonly Dictionary<long, Page> _pages = [];

    /// <summary>How many minutes are held.</summary>
    public int Count { get; private set; }

    /// <summary>Whether the minute is held.</summary>
    public bool Contains(long minute) => _pages.TryGetValue(HourOf(minute, out var index), out var page) && page.Holds(index);

    /// <summary>The minute's totals when it is held.</summary>
    public bool TryGet(long minute, out MinuteTotals totals)
    {
        if (_pages.TryGetValue(HourOf(minute, out var index), out var page) && page.Holds(index))
        {
            totals = page.Read(index);
            return true;
        }

        totals = default;
        return false;
    }

    /// <summary>Adds <paramref name="delta"/> times <paramref name="sign"/> to the minute, holding it from now on if it was not.</summary>
    public void Add(long minute, in MinuteTotals delta, int sign = 1)
    {
        var hour = HourOf(minute, out var index);
        if (!_pages.TryGetValue(hour, out var page))
        {
            page = new Page();
            _pages[hour] = page;
        }

        if (!page.Holds(index))
        {
            page.Present |= 1UL << index;
            Count++;
        }

        page.Add(index, delta, sign);
    }

    /// <summary>Forgets every minute before <paramref name="horizon"/>: whole hours at once, the boundary hour minute by minute.</summary>
    public void RemoveBefore(long horizon)
    {
        var boundary = HourOf(horizon, out var index);
        List<long>? dropped = null;
        foreach (var (hour, page) in _pages)
        {
            if (hour < boundary)
            {
                Count -= BitOperations.PopCount(page.Present);
                (dropped ??= []).Add(hour);
            }
            else if (hour == boundary)
            {
                for (var i = 0; i < index; i++)
                {
                    if (page.Holds(i))
                    {
                        page.Clear(i);
                        Count--;
                    }
                }

                if (page.Present == 0)
                {
                    (dropped ??= []).Add(hour);
                }
            }
        }

        foreach (var hour in dropped ?? [])
        {
            _pages.Remove(hour);
        }
    }

    /// <summary>The earliest minute held; null when none is.</summary>
    public long? Earliest
    {
        get
        {
            if (_pages.Count == 0)
            {
                return null;
            }

            var hour = _pages.Keys.Min();
            return (hour * MinutesPerPage) + BitOperations.TrailingZeroCount(_pages[hour].Present);
        }
    }

    /// <summary>Every minute held with its totals, earliest first.</summary>
    public IEnumerable<(long Minute, MinuteTotals Totals)> Minutes()
    {
        foreach (var hour in _pages.Keys.Order().ToArray())
        {
            var page = _pages[hour];
            for (var present = page.Present; present != 0; present &= present - 1)
            {
                var index = BitOperations.TrailingZeroCount(present);
                yield return ((hour * MinutesPerPage) + index, page.Read(index));
            }
        }
    }

    /// <summary>The minutes held in [<paramref name="from"/>, <paramref name="toInclusive"/>], earliest first.</summary>
    public IEnumerable<(long Minute, MinuteTotals Totals)> Between(long from, long toInclusive)
    {
        if (toInclusive < from)
        {
            yield break;
        }

        var firstHour = HourOf(from, out _);
        var lastHour = HourOf(toInclusive, out _);
        // A range longer than the pages held (a week-old day, sparse trade) walks the pages instead of the hours.
        var hours = lastHour - firstHour + 1 > _pages.Count
            ? (IEnumerable<long>)_pages.Keys.Where(h => h >= firstHour && h <= lastHour).Order().ToArray()
            : HoursFrom(firstHour, lastHour);
        foreach (var hour in hours)
        {
            if (!_pages.TryGetValue(hour, out var page))
            {
                continue;
            }

            var start = hour * MinutesPerPage;
            for (var present = page.Present; present != 0; present &= present - 1)
            {
                var index = BitOperations.TrailingZeroCount(present);
                var minute = start + index;
                if (minute >= from && minute <= toInclusive)
                {
                    yield return (minute, page.Read(index));
                }
            }
        }
    }

    private static IEnumerable<long> HoursFrom(long first, long last)
    {
        for (var hour = first; hour <= last; hour++)
        {
            yield return hour;
        }
    }

    private static long HourOf(long minute, out int index)
    {
        var hour = Math.DivRem(minute, MinutesPerPage, out var rem);
        if (rem < 0)
        {
            hour--;
            rem += MinutesPerPage;
        }

        index = (int)rem;
        return hour;
    }

    /// <summary>An hour of minutes: which are held, and a column per figure the hour ever had.</summary>
    private sealed class Page
    {
        public ulong Present;
        private decimal[]? _gross;
        private decimal[]? _refunds;
        private decimal[]? _adSpend;
        private int[]? _orders;
        private int[]? _units;
        private int[]? _newCustomerOrders;
        private int[]? _returningCustomerOrders;
        private int[]? _cancelledOrders;
        private int[]? _sessions;

        public bool Holds(int index) => (Present & (1UL << index)) != 0;

        public MinuteTotals Read(int index) => new()
        {
            Gross = _gross?[index] ?? 0m,
            Refunds = _refunds?[index] ?? 0m,
            AdSpend = _adSpend?[index] ?? 0m,
            Orders = _orders?[index] ?? 0,
            Units = _units?[index] ?? 0,
            NewCustomerOrders = _newCustomerOrders?[index] ?? 0,
            ReturningCustomerOrders = _returningCustomerOrders?[index] ?? 0,
            CancelledOrders = _cancelledOrders?[index] ?? 0,
            Sessions = _sessions?[index] ?? 0,
        };

        public void Add(int index, in MinuteTotals delta, int sign)
        {
            Add(ref _gross, index, sign * delta.Gross);
            Add(ref _refunds, index, sign * delta.Refunds);
            Add(ref _adSpend, index, sign * delta.AdSpend);
            Add(ref _orders, index, sign * delta.Orders);
            Add(ref _units, index, sign * delta.Units);
            Add(ref _newCustomerOrders, index, sign * delta.NewCustomerOrders);
            Add(ref _returningCustomerOrders, index, sign * delta.ReturningCustomerOrders);
            Add(ref _cancelledOrders, index, sign * delta.CancelledOrders);
            Add(ref _sessions, index, sign * delta.Sessions);
        }

        public void Clear(int index)
        {
            Present &= ~(1UL << index);
            Clear(_gross, index);
            Clear(_refunds, index);
            Clear(_adSpend, index);
            Clear(_orders, index);
            Clear(_units, index);
            Clear(_newCustomerOrders, index);
            Clear(_returningCustomerOrders, index);
            Clear(_cancelledOrders, index);
            Clear(_sessions, index);
        }

        private static void Add<T>(ref T[]? column, int index, T delta)
            where T : struct, INumber<T>
        {
            if (T.IsZero(delta))
            {
                return;
            }

            column ??= new T[MinutesPerPage];
            column[index] += delta;
        }

        private static void Clear<T>(T[]? column, int index)
            where T : struct
        {
            if (column is not null)
            {
                column[index] = default;
            }
        }
    }
}
