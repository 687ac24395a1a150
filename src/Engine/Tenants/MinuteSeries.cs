using System.Numerics;

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
/// in sorted columns (<see cref="SparseMinutes"/>: 8 bytes for a minute of sessions, about 32 for a minute of orders)
/// and moves to pages when it holds on average more than 25 minutes an hour of its retention. A minute is held from its first event until it ages out, even when
/// edits bring it back to zero, in either form.
/// </remarks>
internal sealed class MinuteSeries
{
    /// <summary>25 minutes an hour over 9 days: from here on a page holds its minutes in less than dictionary entries would.</summary>
    public const int DefaultDenseFrom = 25 * 24 * 9;

    private readonly int _denseFrom;
    private SparseMinutes? _sparse = new();
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
    public bool Contains(long minute) => _sparse?.Contains(minute) ?? _paged!.Contains(minute);

    /// <summary>The minute's totals when it is held.</summary>
    public bool TryGet(long minute, out MinuteTotals totals) =>
        _sparse is not null ? _sparse.TryGet(minute, out totals) : _paged!.TryGet(minute, out totals);

    /// <summary>Adds <paramref name="delta"/> times <paramref name="sign"/> to the minute, holding it from now on if it was not.</summary>
    public void Add(long minute, in MinuteTotals delta, int sign = 1)
    {
        if (_sparse is null)
        {
            _paged!.Add(minute, delta, sign);
            return;
        }

        _sparse.Add(minute, delta, sign);
        if (_sparse.Count >= _denseFrom)
        {
            var paged = new PagedMinutes();
            foreach (var (m, totals) in _sparse.Between(long.MinValue, long.MaxValue))
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

        _sparse.RemoveBefore(horizon);
    }

    /// <summary>The earliest minute held; null when none is.</summary>
    public long? Earliest => _sparse is null ? _paged!.Earliest : _sparse.Earliest;

    /// <summary>Every minute held with its totals, earliest first.</summary>
    public IEnumerable<(long Minute, MinuteTotals Totals)> Minutes() =>
        _sparse is null ? _paged!.Minutes() : _sparse.Between(long.MinValue, long.MaxValue);

    /// <summary>The minutes held in [<paramref name="from"/>, <paramref name="toInclusive"/>], earliest first.</summary>
    public IEnumerable<(long Minute, MinuteTotals Totals)> Between(long from, long toInclusive)
    {
        return _sparse is null ? _paged!.Between(from, toInclusive) : _sparse.Between(from, toInclusive);
    }
}

/// <summary>
/// A sparse series' minutes in ascending order, one column per figure, a column allocated only once a minute had that
/// figure: a minute of sessions costs its minute number and one count, where a dictionary entry of all nine figures
/// cost about 100 bytes. Events mostly arrive in time order, so a new minute is nearly always appended; one that is
/// not shifts the columns after it (a sparse series holds at most <see cref="MinuteSeries.DefaultDenseFrom"/> minutes).
/// Minute numbers are held as <c>int</c>s: the guard refuses events before 2000 or ahead of now, and an <c>int</c> of
/// minutes since 1970 reaches the year 6053.
/// </summary>
internal sealed class SparseMinutes
{
    private int[] _minutes = [];
    private MinuteColumns _columns;

    /// <summary>How many minutes are held.</summary>
    public int Count { get; private set; }

    /// <summary>The earliest minute held; null when none is.</summary>
    public long? Earliest => Count == 0 ? null : _minutes[0];

    /// <summary>Whether the minute is held.</summary>
    public bool Contains(long minute) => IndexOf(minute) >= 0;

    /// <summary>The minute's totals when it is held.</summary>
    public bool TryGet(long minute, out MinuteTotals totals)
    {
        var index = IndexOf(minute);
        totals = index >= 0 ? Read(index) : default;
        return index >= 0;
    }

    /// <summary>Adds <paramref name="delta"/> times <paramref name="sign"/> to the minute, holding it from now on if it was not.</summary>
    public void Add(long minute, in MinuteTotals delta, int sign = 1)
    {
        var held = checked((int)minute);
        var index = IndexOf(held);
        if (index < 0)
        {
            index = ~index;
            Insert(index, held);
        }

        _columns.Add(index, delta, sign, _minutes.Length);
    }

    /// <summary>Forgets every minute before <paramref name="horizon"/>.</summary>
    public void RemoveBefore(long horizon)
    {
        var index = IndexOf(horizon);
        var removed = index >= 0 ? index : ~index;
        if (removed == 0)
        {
            return;
        }

        Count -= removed;
        MinuteColumns.Shift(_minutes, removed, Count);
        _columns.Shift(removed, Count);
    }

    /// <summary>The minutes held in [<paramref name="from"/>, <paramref name="toInclusive"/>], earliest first.</summary>
    public IEnumerable<(long Minute, MinuteTotals Totals)> Between(long from, long toInclusive)
    {
        var first = IndexOf(from);
        var rows = new List<(long, MinuteTotals)>();
        for (var index = first >= 0 ? first : ~first; index < Count && _minutes[index] <= toInclusive; index++)
        {
            rows.Add((_minutes[index], Read(index)));
        }

        return rows;
    }

    // A minute outside an int's range is never held: it sorts before or after every minute that is.
    private int IndexOf(long minute) => minute < int.MinValue ? ~0 : minute > int.MaxValue ? ~Count : Array.BinarySearch(_minutes, 0, Count, (int)minute);

    private MinuteTotals Read(int index) => _columns.Read(index);

    private void Insert(int index, int minute)
    {
        if (Count == _minutes.Length)
        {
            // Half again rather than double, as the id maps grow: a quiet store's series stops growing for days.
            var capacity = Math.Max(4, _minutes.Length + (_minutes.Length / 2));
            Array.Resize(ref _minutes, capacity);
            _columns.Resize(capacity);
        }

        MinuteColumns.Open(_minutes, index, Count);
        _columns.Open(index, Count);
        _minutes[index] = minute;
        Count++;
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
        private MinuteColumns _columns;

        public bool Holds(int index) => (Present & (1UL << index)) != 0;

        public MinuteTotals Read(int index) => _columns.Read(index);

        public void Add(int index, in MinuteTotals delta, int sign) => _columns.Add(index, delta, sign, MinutesPerPage);

        public void Clear(int index)
        {
            Present &= ~(1UL << index);
            _columns.Clear(index);
        }
    }
}

/// <summary>
/// A column per figure of <see cref="MinuteTotals"/>, each allocated only once a slot gets a non-zero value of it, so a
/// series or an hour of sessions holds one count column and nothing else. A struct held in its owner's field: it adds no
/// object of its own per series or page.
/// </summary>
internal struct MinuteColumns
{
    private MoneyColumn _gross;
    private MoneyColumn _refunds;
    private MoneyColumn _adSpend;
    private CountColumn _orders;
    private CountColumn _units;
    private CountColumn _newCustomerOrders;
    private CountColumn _returningCustomerOrders;
    private CountColumn _cancelledOrders;
    private CountColumn _sessions;

    public readonly MinuteTotals Read(int index) => new()
    {
        Gross = _gross.Read(index),
        Refunds = _refunds.Read(index),
        AdSpend = _adSpend.Read(index),
        Orders = _orders.Read(index),
        Units = _units.Read(index),
        NewCustomerOrders = _newCustomerOrders.Read(index),
        ReturningCustomerOrders = _returningCustomerOrders.Read(index),
        CancelledOrders = _cancelledOrders.Read(index),
        Sessions = _sessions.Read(index),
    };

    /// <summary>Adds <paramref name="delta"/> times <paramref name="sign"/> at the slot; a column first written is made <paramref name="length"/> long.</summary>
    public void Add(int index, in MinuteTotals delta, int sign, int length)
    {
        _gross.Add(index, sign * delta.Gross, length);
        _refunds.Add(index, sign * delta.Refunds, length);
        _adSpend.Add(index, sign * delta.AdSpend, length);
        _orders.Add(index, sign * delta.Orders, length);
        _units.Add(index, sign * delta.Units, length);
        _newCustomerOrders.Add(index, sign * delta.NewCustomerOrders, length);
        _returningCustomerOrders.Add(index, sign * delta.ReturningCustomerOrders, length);
        _cancelledOrders.Add(index, sign * delta.CancelledOrders, length);
        _sessions.Add(index, sign * delta.Sessions, length);
    }

    /// <summary>Makes the slot read zero.</summary>
    public void Clear(int index) => Each(new ClearSlot(index));

    /// <summary>Makes room at <paramref name="index"/> in columns holding <paramref name="count"/> slots: the slots from it on move one on, and it reads zero.</summary>
    public void Open(int index, int count) => Each(new OpenSlot(index, count));

    /// <summary>Drops the first <paramref name="removed"/> slots: the <paramref name="kept"/> after them move to the front, and what they leave reads zero.</summary>
    public void Shift(int removed, int kept) => Each(new ShiftSlots(removed, kept));

    /// <summary>Gives every column already made room for <paramref name="capacity"/> slots.</summary>
    public void Resize(int capacity) => Each(new ResizeColumn(capacity));

    public static void Open<T>(T[]? column, int index, int count)
        where T : struct
    {
        if (column is not null)
        {
            Array.Copy(column, index, column, index + 1, count - index);
            column[index] = default;
        }
    }

    public static void Shift<T>(T[]? column, int removed, int kept)
        where T : struct
    {
        if (column is not null)
        {
            Array.Copy(column, removed, column, 0, kept);
            Array.Clear(column, kept, removed);
        }
    }

    // Every column once: what is done to all of them alike is written once, as a step, rather than once per column.
    private void Each<TStep>(TStep step)
        where TStep : IColumnStep
    {
        _gross.Each(step);
        _refunds.Each(step);
        _adSpend.Each(step);
        _orders.Each(step);
        _units.Each(step);
        _newCustomerOrders.Each(step);
        _returningCustomerOrders.Each(step);
        _cancelledOrders.Each(step);
        _sessions.Each(step);
    }

    /// <summary>Something done alike to every array of the columns, whatever its element type.</summary>
    internal interface IColumnStep
    {
        void On<T>(ref T[]? column)
            where T : struct;
    }

    private readonly record struct ClearSlot(int Index) : IColumnStep
    {
        public void On<T>(ref T[]? column)
            where T : struct
        {
            if (column is not null)
            {
                column[Index] = default;
            }
        }
    }

    private readonly record struct OpenSlot(int Index, int Count) : IColumnStep
    {
        public void On<T>(ref T[]? column)
            where T : struct => Open(column, Index, Count);
    }

    private readonly record struct ShiftSlots(int Removed, int Kept) : IColumnStep
    {
        public void On<T>(ref T[]? column)
            where T : struct => Shift(column, Removed, Kept);
    }

    private readonly record struct ResizeColumn(int Capacity) : IColumnStep
    {
        public void On<T>(ref T[]? column)
            where T : struct
        {
            if (column is not null)
            {
                Array.Resize(ref column, Capacity);
            }
        }
    }
}

/// <summary>
/// A count's column (orders, units, sessions, ...): 2-byte slots while every sum of the column fits a <c>short</c>, 4 once
/// one does not, where an <c>int[]</c> took 4 throughout: a minute rarely counts more than a few hundred of anything, and a
/// busy store holds six count columns in each of its hour pages.
/// </summary>
/// <remarks>
/// Sums are taken in <c>int</c>, as the <c>int[]</c> columns took them (the guard keeps a minute's units and orders within
/// an <c>int</c>), so a column that widens reads the same sums it would have held as <c>int</c>s from the start.
/// </remarks>
internal struct CountColumn
{
    // A short[] while every sum fits 16 bits, an int[] after: one field rather than two, as there is a column per
    // figure of every hour page.
    private Array? _slots;

    public readonly int Read(int index) => _slots switch
    {
        null => 0,
        short[] narrow => narrow[index],
        int[] wide => wide[index],
        _ => throw new InvalidOperationException("a count column holds shorts or ints"),
    };

    /// <summary>Adds <paramref name="delta"/> at the slot; the column first written is made <paramref name="length"/> long.</summary>
    public void Add(int index, int delta, int length)
    {
        if (delta == 0)
        {
            return;
        }

        var sum = unchecked(Read(index) + delta);
        _slots ??= new short[length];
        if (_slots is short[] narrow)
        {
            if (sum >= short.MinValue && sum <= short.MaxValue)
            {
                narrow[index] = (short)sum;
                return;
            }

            var widened = new int[narrow.Length];
            for (var i = 0; i < narrow.Length; i++)
            {
                widened[i] = narrow[i];
            }

            _slots = widened;
        }

        ((int[])_slots)[index] = sum;
    }

    /// <summary>Applies <paramref name="step"/> to the array, whichever width it has.</summary>
    public void Each<TStep>(TStep step)
        where TStep : MinuteColumns.IColumnStep
    {
        switch (_slots)
        {
            case short[] narrow:
                var shorts = (short[]?)narrow;
                step.On(ref shorts);
                _slots = shorts;
                break;
            case int[] wide:
                var ints = (int[]?)wide;
                step.On(ref ints);
                _slots = ints;
                break;
        }
    }
}

/// <summary>
/// A money figure's column: each slot the <see cref="decimal"/>'s own integer and scale packed in 4 bytes while every
/// sum of the column fits, 8 once one does not, where a <c>decimal[]</c> took 16: a page of minutes' gross is 264 bytes
/// rather than 984.
/// </summary>
/// <remarks>
/// The low 5 bits of a slot are the scale (a <see cref="decimal"/>'s is at most 28), the bits above them the signed
/// integer, so a slot reads back as the very <see cref="decimal"/> the sums gave, scale included (10.50 stays 10.50, and
/// 10.50 + 2 reads 12.50). Each add is done in <see cref="decimal"/> and the sum packed again, so sums of mixed scales
/// are what <see cref="decimal"/> gives, not rescaled by the column. The column starts as <c>int</c>s (27-bit integers:
/// a minute's 671,088.63 at scale 2) and becomes <c>long</c>s (59-bit) the first time a sum does not fit. A sum that
/// does not fit that either (an integer of 2^58 or more, i.e. more than 17 significant digits, or a -0) is held in a
/// <c>decimal[]</c> beside it, made only when one first occurs, and its slot holds <see cref="Wide"/> to send reads there.
/// </remarks>
internal struct MoneyColumn
{
    // Scales 29 to 31 are never a decimal's: 31 marks a slot whose sum is in the wide column.
    private const long Wide = 31;
    private const int ScaleBits = 5;
    private const long ScaleMask = (1L << ScaleBits) - 1;
    private const ulong LargestPacked = (1UL << (63 - ScaleBits)) - 1;

    // An int[] while every sum fits 32 bits packed, a long[] after: one field rather than two, as there is a column per
    // figure of every hour page.
    private Array? _slots;
    private decimal[]? _wide;

    public readonly decimal Read(int index) => _slots switch
    {
        null => 0m,
        int[] narrow => Unpack(narrow[index]),
        long[] packed => (packed[index] & ScaleMask) == Wide ? _wide![index] : Unpack(packed[index]),
        _ => throw new InvalidOperationException("a money column holds ints or longs"),
    };

    /// <summary>Adds <paramref name="delta"/> at the slot; the column first written is made <paramref name="length"/> long.</summary>
    public void Add(int index, decimal delta, int length)
    {
        // A zero delta leaves the slot alone, as the decimal columns did: adding 0.00 to 10.5 would make it 10.50.
        if (delta == 0m)
        {
            return;
        }

        var sum = Read(index) + delta;
        var fits = TryPack(sum, out var packed);
        _slots ??= new int[length];
        if (_slots is int[] narrow)
        {
            if (fits && packed >= int.MinValue && packed <= int.MaxValue)
            {
                narrow[index] = (int)packed;
                return;
            }

            var widened = new long[narrow.Length];
            for (var i = 0; i < narrow.Length; i++)
            {
                widened[i] = narrow[i];
            }

            _slots = widened;
        }

        var slots = (long[])_slots;
        if (fits)
        {
            slots[index] = packed;
            return;
        }

        _wide ??= new decimal[slots.Length];
        _wide[index] = sum;
        slots[index] = Wide;
    }

    /// <summary>Applies <paramref name="step"/> to the arrays; a cleared or opened slot packs 0 and so never reads the wide one.</summary>
    public void Each<TStep>(TStep step)
        where TStep : MinuteColumns.IColumnStep
    {
        switch (_slots)
        {
            case int[] narrow:
                var ints = (int[]?)narrow;
                step.On(ref ints);
                _slots = ints;
                break;
            case long[] packed:
                var longs = (long[]?)packed;
                step.On(ref longs);
                _slots = longs;
                break;
        }

        step.On(ref _wide);
    }

    /// <summary>The value as its integer shifted over its scale, when the integer fits 58 bits and the value is not -0.</summary>
    internal static bool TryPack(decimal value, out long packed)
    {
        if (!ScaledDecimal.TrySplit(value, out var units, out var scale) || (ulong)Math.Abs(units) > LargestPacked)
        {
            packed = 0;
            return false;
        }

        packed = (units << ScaleBits) | scale;
        return true;
    }

    // An int slot widens to the same long: the shift is arithmetic, the scale bits are the same.
    private static decimal Unpack(long slot) => ScaledDecimal.Join(slot >> ScaleBits, (byte)(slot & ScaleMask));
}
