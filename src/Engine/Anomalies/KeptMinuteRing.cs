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
