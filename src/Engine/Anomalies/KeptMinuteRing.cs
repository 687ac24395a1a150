using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Anomalies;

/// <summary>
/// A monitor's last closed minutes, held as columns and built back into equal <see cref="ClosedMinute"/> records when read,
/// but for the verdicts' score and likelihood, which only the newest minute keeps.
/// </summary>
/// <remarks>
/// 180 records of about a kilobyte each (a verdict object per stream, a readings list, three figures each for the store
/// and its channels) were most of an awake quiet store's monitor. Here a minute is a slot of a ring: its figures by
/// reference (most are the shared zero), its verdicts as byte codes into small palettes of the values the ring holds
/// (a quiet stream's window sums, bands and scores repeat; a column of mostly distinct values keeps its bits instead),
/// and a channel's verdict only where it differs from the store's (a store selling through one channel: never). Every
/// value is kept to the bit, so a record read back equals the one closed, except that an older minute's verdicts carry no
/// score or likelihood (null): the alert book, the one reader of past minutes, judges by value, band, severity and flag,
/// and only the newest minute is published after a rebuild, so the newest is held as the record closed. Scores and
/// likelihoods are mostly distinct values: kept for every minute they were two plain columns a stream, about 11 KiB of a
/// quiet store. Slots are consecutive minutes, as the monitor closes them. Not thread-safe.
/// </remarks>
internal sealed class KeptMinuteRing
{
    private static readonly KpiStream[] StoreStreams = Enum.GetValues<KpiStream>();

    private readonly StoreRef _store;
    private readonly int _capacity;

    // Reference columns as codes into the few objects they hold (a quiet store's figures are mostly the shared zero, its
    // terms and channel lists one object for hours), and "minutes since the last order" as the minute of that order,
    // which stays the same from one order to the next: a few hundred bytes each instead of a reference or int a slot.
    private readonly ReferenceColumn<Terms> _terms;
    private readonly ReferenceColumn<MinuteFigures> _figures;
    private readonly ReferenceColumn<MinuteFigures> _yesterday;
    private readonly ReferenceColumn<MinuteFigures> _lastWeek;
    private readonly PalettedColumn _lastOrder;
    private readonly ReferenceColumn<SalesChannel[]> _channels;
    private readonly VerdictColumn[] _verdicts;
    private readonly Dictionary<SalesChannel, ChannelColumns> _channelColumns = [];
    private int _oldest;
    private long _newest;

    // The newest minute as closed, scores and likelihoods included; the columns hold it too for when it is no longer newest.
    private ClosedMinute? _newestClosed;

    public KeptMinuteRing(StoreRef store, int capacity)
    {
        // A palette code is a byte, and a column never holds more distinct values than it has slots.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, PalettedColumn.MaxSlots);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _store = store;
        _capacity = capacity;
        _terms = new ReferenceColumn<Terms>(capacity);
        _figures = new ReferenceColumn<MinuteFigures>(capacity);
        _yesterday = new ReferenceColumn<MinuteFigures>(capacity);
        _lastWeek = new ReferenceColumn<MinuteFigures>(capacity);
        _lastOrder = new PalettedColumn(capacity);
        _channels = new ReferenceColumn<SalesChannel[]>(capacity);
        _verdicts = [.. StoreStreams.Select(_ => new VerdictColumn(capacity))];
    }

    public int Count { get; private set; }

    public void Clear()
    {
        Count = 0;
        _oldest = 0;
        _newestClosed = null;
        _figures.Clear();
        _yesterday.Clear();
        _lastWeek.Clear();
        _terms.Clear();
        _lastOrder.Clear();
        _channels.Clear();
        foreach (var column in _verdicts)
        {
            column.Clear();
        }

        _channelColumns.Clear();
    }

    /// <summary>Keeps a closed minute, dropping the oldest when full; it must be the minute after the newest kept.</summary>
    public void Add(ClosedMinute closed)
    {
        var minute = MinuteMonitor.ToMinute(closed.Minute);
        if (Count > 0 && minute != _newest + 1)
        {
            throw new InvalidOperationException($"Minute {closed.Minute:O} does not follow the newest kept minute.");
        }

        int slot;
        if (Count == _capacity)
        {
            slot = _oldest;
            _oldest = (_oldest + 1) % _capacity;
        }
        else
        {
            slot = (_oldest + Count) % _capacity;
            Count++;
        }

        _newest = minute;
        _newestClosed = closed;
        var offset = checked((int)((closed.LocalMinute.Ticks - closed.Minute.UtcTicks) / TimeSpan.TicksPerMinute));
        var previous = Count > 1 ? (slot + _capacity - 1) % _capacity : -1;
        _terms[slot] = previous >= 0 && _terms[previous] is { } t && t.Zone == closed.TimeZone && t.Currency == closed.Currency && t.OffsetMinutes == offset
            ? t
            : new Terms(closed.TimeZone, closed.Currency, offset);
        _figures[slot] = Shared(closed.Figures);
        _yesterday[slot] = Shared(closed.Yesterday);
        _lastWeek[slot] = Shared(closed.LastWeek);
        _lastOrder.Set(slot, closed.MinutesSinceLastOrder is { } since ? minute - since : double.NaN);

        var channels = closed.Channels ?? [];
        var order = new SalesChannel[channels.Count];
        for (var c = 0; c < channels.Count; c++)
        {
            order[c] = channels[c].Channel;
        }

        _channels[slot] = previous >= 0 && _channels[previous] is { } same && same.AsSpan().SequenceEqual(order) ? same : order;

        // The monitor's readings are the store's streams in order, then each judged channel's streams in the channels' order.
        var readings = closed.Readings;
        var expected = StoreStreams.Length + (order.Length * MinuteMonitor.ChannelStreams.Count);
        if (readings.Count != expected)
        {
            throw new InvalidOperationException($"A closed minute has {readings.Count} readings where {expected} were expected.");
        }

        for (var i = 0; i < StoreStreams.Length; i++)
        {
            _verdicts[i].Set(slot, readings[i].Verdict);
        }

        var at = StoreStreams.Length;
        foreach (var channelMinute in channels)
        {
            if (!_channelColumns.TryGetValue(channelMinute.Channel, out var columns))
            {
                _channelColumns[channelMinute.Channel] = columns = new ChannelColumns(_capacity);
            }

            columns.Figures[slot] = Shared(channelMinute.Figures);
            columns.Yesterday[slot] = Shared(channelMinute.Yesterday);
            columns.LastWeek[slot] = Shared(channelMinute.LastWeek);
            columns.LastOrder.Set(slot, minute - channelMinute.MinutesSinceLastOrder);
            for (var k = 0; k < MinuteMonitor.ChannelStreams.Count; k++, at++)
            {
                var storeVerdict = readings[Array.IndexOf(StoreStreams, MinuteMonitor.ChannelStreams[k])].Verdict;
                columns.Set(k, slot, readings[at].Verdict, storeVerdict);
            }
        }
    }

    // The live state answers an empty minute with a new zero object each time (six a minute here): the shared zero stands
    // for it when it is the same to the bit (a revenue of 0.00 is not 0 by its bits, so it is kept as it came).
    private static MinuteFigures Shared(MinuteFigures figures)
    {
        if (figures.Orders != 0 || figures.Sessions != 0)
        {
            return figures;
        }

        Span<int> bits = stackalloc int[4];
        Span<int> zero = stackalloc int[4];
        decimal.GetBits(figures.Revenue, bits);
        decimal.GetBits(MinuteFigures.Zero.Revenue, zero);
        return bits.SequenceEqual(zero) ? MinuteFigures.Zero : figures;
    }

    /// <summary>The newest kept minute; null when none is kept.</summary>
    public ClosedMinute? Newest => Count == 0 ? null : Read(Count - 1);

    /// <summary>Kept minutes after <paramref name="after"/> (all when null), oldest first.</summary>
    public List<ClosedMinute> Since(DateTimeOffset? after)
    {
        var first = 0;
        if (after is { } a && Count > 0)
        {
            // Minute k (oldest first) starts at newest - (Count - 1 - k); it is after a when its start is later than a.
            var oldestMinute = _newest - (Count - 1);
            var firstAfter = MinuteMonitor.ToMinute(a) + 1;
            first = (int)Math.Clamp(firstAfter - oldestMinute, 0, Count);
        }

        var minutes = new List<ClosedMinute>(Count - first);
        for (var k = first; k < Count; k++)
        {
            minutes.Add(Read(k));
        }

        return minutes;
    }

    private ClosedMinute Read(int k)
    {
        if (k == Count - 1)
        {
            return _newestClosed!;
        }

        var slot = (_oldest + k) % _capacity;
        var minuteNumber = _newest - (Count - 1 - k);
        var minute = MinuteMonitor.FromMinute(minuteNumber);
        var channels = _channels[slot]!;
        var readings = new List<StreamReading>(StoreStreams.Length + (channels.Length * MinuteMonitor.ChannelStreams.Count));
        var storeVerdicts = new AnomalyVerdict[StoreStreams.Length];
        for (var i = 0; i < StoreStreams.Length; i++)
        {
            storeVerdicts[i] = _verdicts[i].Get(slot);
            readings.Add(new StreamReading(StoreStreams[i], storeVerdicts[i]));
        }

        var channelMinutes = new List<ChannelMinute>(channels.Length);
        foreach (var channel in channels)
        {
            var columns = _channelColumns[channel];
            for (var s = 0; s < MinuteMonitor.ChannelStreams.Count; s++)
            {
                var stream = MinuteMonitor.ChannelStreams[s];
                readings.Add(new StreamReading(stream, columns.Get(s, slot, storeVerdicts[Array.IndexOf(StoreStreams, stream)]), channel));
            }

            channelMinutes.Add(new ChannelMinute(channel, columns.Figures[slot]!, columns.Yesterday[slot]!, columns.LastWeek[slot]!, checked((int)(minuteNumber - (long)columns.LastOrder[slot]))));
        }

        var terms = _terms[slot]!;
        return new ClosedMinute(
            _store,
            minute,
            new DateTime(minute.UtcTicks + (terms.OffsetMinutes * TimeSpan.TicksPerMinute), DateTimeKind.Unspecified),
            terms.Zone,
            terms.Currency,
            _figures[slot]!,
            _yesterday[slot]!,
            _lastWeek[slot]!,
            _lastOrder[slot] is var lastOrder && double.IsNaN(lastOrder) ? null : checked((int)(minuteNumber - (long)lastOrder)),
            readings,
            channelMinutes);
    }

    /// <summary>A minute's time zone, currency and local offset, shared by the run of slots that have the same.</summary>
    private sealed record Terms(string Zone, string Currency, int OffsetMinutes);

    /// <summary>One selling channel's part of the kept minutes.</summary>
    private sealed class ChannelColumns(int capacity)
    {
        public ReferenceColumn<MinuteFigures> Figures { get; } = new(capacity);

        public ReferenceColumn<MinuteFigures> Yesterday { get; } = new(capacity);

        public ReferenceColumn<MinuteFigures> LastWeek { get; } = new(capacity);

        // The minute of the channel's last order (the minute's number less the minutes since it).
        public PalettedColumn LastOrder { get; } = new(capacity);

        // Per channel stream: whether the slot holds a verdict of its own (else it is the store's), and those verdicts.
        private readonly bool[][] _own = [.. MinuteMonitor.ChannelStreams.Select(_ => new bool[capacity])];
        private readonly VerdictColumn?[] _verdicts = new VerdictColumn?[MinuteMonitor.ChannelStreams.Count];

        public void Set(int stream, int slot, AnomalyVerdict verdict, AnomalyVerdict storeVerdict)
        {
            var own = !SameBits(verdict, storeVerdict);
            _own[stream][slot] = own;
            if (own)
            {
                (_verdicts[stream] ??= new VerdictColumn(capacity)).Set(slot, verdict);
            }
        }

        public AnomalyVerdict Get(int stream, int slot, AnomalyVerdict storeVerdict) =>
            _own[stream][slot] ? _verdicts[stream]!.Get(slot) : storeVerdict;

        // By bits, not by the record's equality (which takes -0 for 0): what is read back must be what was closed.
        private static bool SameBits(AnomalyVerdict a, AnomalyVerdict b) =>
            ReferenceEquals(a, b) || (a.IsAnomaly == b.IsAnomaly && a.Severity == b.Severity && a.WindowMinutes == b.WindowMinutes
                && Bits(a.Value) == Bits(b.Value) && Bits(a.Expected) == Bits(b.Expected) && Bits(a.Lower) == Bits(b.Lower)
                && Bits(a.Upper) == Bits(b.Upper));

        private static long Bits(double value) => BitConverter.DoubleToInt64Bits(value);
    }

    /// <summary>One stream's verdicts without score and likelihood, a slot each: paletted fields and flags.</summary>
    /// <remarks>
    /// The band is kept as its width above the expected value, and the lower edge as what that width gives below it (as
    /// the detectors draw it: the expected value less the half band, clipped at zero for a stream that has had no negative
    /// value). A quiet stream's edges were two columns of mostly distinct values; what is left is one, and a lower edge
    /// of its own only where the arithmetic does not give it back to the bit (a drop's band, a rounding).
    /// </remarks>
    private sealed class VerdictColumn(int capacity)
    {
        private const int Anomaly = 1;
        private const int SeverityShift = 1;
        private const int SeverityMask = 0b11;

        // The width column holds the upper edge itself: the expected value plus no width gives it back to the bit.
        private const int OwnUpper = 1 << 3;
        private const int LowerShift = 4;
        private const int LowerOwn = 0;
        private const int LowerBelow = 1;
        private const int LowerBelowClipped = 2;

        private readonly PalettedColumn _value = new(capacity);
        private readonly PalettedColumn _expected = new(capacity);
        private readonly PalettedColumn _width = new(capacity);
        private readonly PalettedColumn _window = new(capacity);

        // Lower edges the width does not give; made on the first.
        private PalettedColumn? _lower;

        // Bit 0: an anomaly; bits 1-2: the severity; bit 3: the width column holds the upper edge; bits 4-5: how the lower
        // edge is found.
        private readonly byte[] _flags = new byte[capacity];

        public void Set(int slot, AnomalyVerdict verdict)
        {
            var severity = (int)verdict.Severity;
            if (severity is < 0 or > SeverityMask)
            {
                throw new ArgumentOutOfRangeException(nameof(verdict), verdict.Severity, "Not a severity.");
            }

            var flags = (verdict.IsAnomaly ? Anomaly : 0) | (severity << SeverityShift);
            var expected = verdict.Expected;
            var width = verdict.Upper - expected;
            var lowerMode = LowerOwn;
            if (Bits(expected + width) == Bits(verdict.Upper))
            {
                var below = expected - width;
                lowerMode = Bits(below) == Bits(verdict.Lower) ? LowerBelow
                    : Bits(Math.Max(0, below)) == Bits(verdict.Lower) ? LowerBelowClipped
                    : LowerOwn;
            }
            else
            {
                width = verdict.Upper;
                flags |= OwnUpper;
            }

            if (lowerMode == LowerOwn)
            {
                (_lower ??= new PalettedColumn(capacity)).Set(slot, verdict.Lower);
            }
            else
            {
                // The slot's own edge of a lap ago is not read again: let it go, so the refit can drop it from the palette.
                _lower?.Set(slot, 0);
            }

            _value.Set(slot, verdict.Value);
            _expected.Set(slot, expected);
            _width.Set(slot, width);
            _window.Set(slot, verdict.WindowMinutes);
            _flags[slot] = (byte)(flags | (lowerMode << LowerShift));
        }

        public AnomalyVerdict Get(int slot)
        {
            var flags = _flags[slot];
            var expected = _expected[slot];
            var width = _width[slot];
            var upper = (flags & OwnUpper) != 0 ? width : expected + width;
            var lower = (flags >> LowerShift) switch
            {
                LowerBelow => expected - width,
                LowerBelowClipped => Math.Max(0, expected - width),
                _ => _lower![slot],
            };
            return new(
                (flags & Anomaly) != 0,
                _value[slot],
                expected,
                lower,
                upper,
                null,
                (AnomalySeverity)((flags >> SeverityShift) & SeverityMask),
                null,
                (int)_window[slot]);
        }

        public void Clear()
        {
            _value.Clear();
            _expected.Clear();
            _width.Clear();
            _window.Clear();
            _lower = null;
        }

        private static long Bits(double value) => BitConverter.DoubleToInt64Bits(value);
    }
}

/// <summary>
/// Doubles in at most <see cref="MaxSlots"/> slots, a byte code a slot into a palette of the distinct values held (by
/// bits, so -0 stays -0), with a count per value so a value no slot holds any more frees its entry.
/// </summary>
internal sealed class PalettedColumn
{
    /// <summary>Codes are bytes and 0 means unset: no column of more slots could be sure of a code per value.</summary>
    public const int MaxSlots = 255;

    private readonly int _slots;
    private byte[] _codes;
    private long[] _palette = new long[2];
    private byte[] _counts = new byte[2];
    private int _used;

    // Each slot's bits once the palette would cost more than they do, and which slots are set (the codes are let go
    // then: a bit a slot says as much); null before.
    private long[]? _plain;
    private ulong[]? _set;

    // Writes since the palette was last fitted to what the slots hold.
    private int _writes;

    public PalettedColumn(int slots)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slots, MaxSlots);
        _slots = slots;
        _codes = new byte[slots];
    }

    private PalettedColumn(PalettedColumn other)
    {
        _slots = other._slots;
        _codes = (byte[])other._codes.Clone();
        _palette = (long[])other._palette.Clone();
        _counts = (byte[])other._counts.Clone();
        _used = other._used;
        _plain = (long[]?)other._plain?.Clone();
        _set = (ulong[]?)other._set?.Clone();
        _writes = other._writes;
    }

    public double this[int slot] => _plain is { } plain
        ? (_set![slot >> 6] & (1UL << slot)) != 0 ? BitConverter.Int64BitsToDouble(plain[slot]) : throw Unset()
        : _codes[slot] is var code and > 0 ? BitConverter.Int64BitsToDouble(_palette[code - 1]) : throw Unset();

    /// <summary>An independent copy that goes on exactly as this one would.</summary>
    public PalettedColumn Clone() => new(this);

    /// <summary>Whether the column keeps each slot's bits rather than a code into a palette.</summary>
    internal bool IsPlain => _plain is not null;

    /// <summary>Entries the palette has room for; 0 while plain.</summary>
    internal int PaletteSize => _palette.Length;

    public void Set(int slot, double value)
    {
        if (++_writes >= _slots)
        {
            _writes = 0;
            Refit();
        }

        var bits = BitConverter.DoubleToInt64Bits(value);
        if (_plain is { } plain)
        {
            plain[slot] = bits;
            _set![slot >> 6] |= 1UL << slot;
            return;
        }

        if (_codes[slot] is var old and > 0)
        {
            if (_palette[old - 1] == bits)
            {
                return;
            }

            _counts[old - 1]--;
        }

        // Most writes repeat a value held: find it, else reuse a freed entry, else grow.
        var free = -1;
        for (var i = 0; i < _used; i++)
        {
            if (_counts[i] > 0 && _palette[i] == bits)
            {
                _counts[i]++;
                _codes[slot] = (byte)(i + 1);
                return;
            }

            if (_counts[i] == 0 && free < 0)
            {
                free = i;
            }
        }

        if (free < 0)
        {
            if (_used == _palette.Length)
            {
                var grown = Math.Min(_palette.Length * 2, MaxSlots);

                // A column of mostly distinct values (a band's edge, a score) would hold a palette entry and a count per
                // slot, more than the slots' own 8 bytes: past that point it keeps the bits.
                if (grown * (sizeof(long) + sizeof(byte)) >= _slots * sizeof(long))
                {
                    ToPlain(slot, bits);
                    return;
                }

                Array.Resize(ref _palette, grown);
                Array.Resize(ref _counts, _palette.Length);
            }

            free = _used++;
        }

        _palette[free] = bits;
        _counts[free] = 1;
        _codes[slot] = (byte)(free + 1);
    }

    public void Clear()
    {
        _codes = _codes.Length == _slots ? _codes : new byte[_slots];
        Array.Clear(_codes);
        _palette = new long[2];
        _counts = new byte[2];
        _used = 0;
        _plain = null;
        _set = null;
        _writes = 0;
    }

    private static InvalidOperationException Unset() => new("The slot holds no value.");

    // Once a lap of writes: a palette only grows and plain bits stay plain, so a monitor's replay, whose first days' bands
    // are all distinct, left a quiet store's columns plain (or their palettes at 128) for good, though the minutes kept
    // now hold a handful of values. Fit the palette to the values held: back from plain well below the point where it
    // went plain (so a column near it does not flip each lap), or a smaller palette.
    private void Refit()
    {
        Span<long> bySlot = stackalloc long[_slots];
        Span<bool> isSet = stackalloc bool[_slots];
        Span<long> unique = stackalloc long[_slots];
        var held = 0;
        for (var i = 0; i < _slots; i++)
        {
            isSet[i] = _plain is null ? _codes[i] > 0 : (_set![i >> 6] & (1UL << (i & 63))) != 0;
            if (isSet[i])
            {
                bySlot[i] = _plain is { } plain ? plain[i] : _palette[_codes[i] - 1];
                unique[held++] = bySlot[i];
            }
        }

        unique = unique[..held];
        unique.Sort();
        var distinct = 0;
        for (var k = 0; k < held; k++)
        {
            if (k == 0 || unique[k] != unique[distinct - 1])
            {
                unique[distinct++] = unique[k];
            }
        }

        unique = unique[..distinct];
        var size = Math.Max(2, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)distinct));
        var fits = _plain is null ? size < _palette.Length : 2 * size * (sizeof(long) + sizeof(byte)) <= _slots * sizeof(long);
        if (!fits)
        {
            return;
        }

        var palette = new long[size];
        var counts = new byte[size];
        unique.CopyTo(palette);
        var codes = _codes.Length == _slots ? _codes : new byte[_slots];
        for (var i = 0; i < _slots; i++)
        {
            if (!isSet[i])
            {
                codes[i] = 0;
                continue;
            }

            var entry = unique.BinarySearch(bySlot[i]);
            counts[entry]++;
            codes[i] = (byte)(entry + 1);
        }

        _codes = codes;
        _palette = palette;
        _counts = counts;
        _used = distinct;
        _plain = null;
        _set = null;
    }

    // The slot at `slot` was released (if it held a value) and takes `bits`, which the palette has no room for.
    private void ToPlain(int slot, long bits)
    {
        var plain = new long[_slots];
        var set = new ulong[(_slots + 63) / 64];
        for (var i = 0; i < _slots; i++)
        {
            if (_codes[i] > 0 && i != slot)
            {
                plain[i] = _palette[_codes[i] - 1];
                set[i >> 6] |= 1UL << i;
            }
        }

        plain[slot] = bits;
        set[slot >> 6] |= 1UL << slot;
        _plain = plain;
        _set = set;
        _codes = [];
        _palette = [];
        _counts = [];
        _used = 0;
    }
}

/// <summary>
/// References in at most <see cref="PalettedColumn.MaxSlots"/> slots, a byte code a slot into a palette of the distinct
/// objects held (by reference, so a slot reads back the very object set), with a count per object so one no slot holds
/// any more frees its entry; null is an unset slot.
/// </summary>
internal sealed class ReferenceColumn<T>
    where T : class
{
    private readonly byte[] _codes;
    private T?[] _palette = new T?[2];
    private byte[] _counts = new byte[2];
    private int _used;

    // Each slot's reference once the palette would cost more than a reference a slot does; null before.
    private T?[]? _plain;

    public ReferenceColumn(int slots)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slots, PalettedColumn.MaxSlots);
        _codes = new byte[slots];
    }

    public T? this[int slot]
    {
        get => _plain is { } plain ? plain[slot] : _codes[slot] is var code and > 0 ? _palette[code - 1] : null;
        set => Set(slot, value);
    }

    public void Clear()
    {
        Array.Clear(_codes);
        _palette = new T?[2];
        _counts = new byte[2];
        _used = 0;
        _plain = null;
    }

    private void Set(int slot, T? value)
    {
        if (_plain is { } plain)
        {
            plain[slot] = value;
            return;
        }

        if (_codes[slot] is var old and > 0)
        {
            if (ReferenceEquals(_palette[old - 1], value))
            {
                return;
            }

            if (--_counts[old - 1] == 0)
            {
                // Let the object go with the last slot that held it.
                _palette[old - 1] = null;
            }

            _codes[slot] = 0;
        }

        if (value is null)
        {
            return;
        }

        // Most writes repeat an object held: find it, else reuse a freed entry, else grow.
        var free = -1;
        for (var i = 0; i < _used; i++)
        {
            if (_counts[i] > 0 && ReferenceEquals(_palette[i], value))
            {
                _counts[i]++;
                _codes[slot] = (byte)(i + 1);
                return;
            }

            if (_counts[i] == 0 && free < 0)
            {
                free = i;
            }
        }

        if (free < 0)
        {
            if (_used == _palette.Length)
            {
                var grown = Math.Min(_palette.Length * 2, PalettedColumn.MaxSlots);

                // Mostly distinct objects (a busy store's figures) would hold a palette entry and a count per slot, more
                // than a reference a slot: past that point the column keeps the references.
                if (grown * (IntPtr.Size + sizeof(byte)) >= _codes.Length * IntPtr.Size)
                {
                    ToPlain(slot, value);
                    return;
                }

                Array.Resize(ref _palette, grown);
                Array.Resize(ref _counts, _palette.Length);
            }

            free = _used++;
        }

        _palette[free] = value;
        _counts[free] = 1;
        _codes[slot] = (byte)(free + 1);
    }

    private void ToPlain(int slot, T value)
    {
        var plain = new T?[_codes.Length];
        for (var i = 0; i < _codes.Length; i++)
        {
            if (_codes[i] > 0)
            {
                plain[i] = _palette[_codes[i] - 1];
            }
        }

        plain[slot] = value;
        _plain = plain;
        _palette = [];
        _counts = [];
        _used = 0;
    }
}
