using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Tenants;
using SalesDash.Engine.Time;

namespace SalesDash.Engine.Anomalies;

/// <summary>
/// Closes a store's minutes as the clock completes them and runs one <see cref="KpiAnomalyDetector"/> per
/// <see cref="KpiStream"/> over them. Pure and single-threaded: the tenant entity owns one and calls <see cref="Close"/>
/// on its minute tick. Nothing here is journalled: after recovery (or a jump of the clock) the detectors are rebuilt by
/// replaying the entity's retained buckets (<see cref="Capture"/> then <see cref="Rebuild"/>, which may run off the
/// entity's thread), so the verdicts depend only on <see cref="KpiState"/>.
/// </summary>
/// <remarks>
/// Each stream is the trailing <see cref="WindowMinutes"/> minutes, not the single minute: a shop taking a few orders a
/// minute has per-minute revenue that is mostly Poisson noise, and a 15-minute sum has about a quarter of its relative
/// noise, so a real drop stands out of the band instead of hiding in it. The season is a day, not a week, because the
/// entity keeps 9 days of buckets (<see cref="KpiState.BucketRetention"/>): a weekly season would never have the two
/// previous seasons the detector needs before its seasonal baseline has a say. Three seasons and a 64-point spectral
/// window bound what a detector remembers to <see cref="WarmUp"/>, so a rebuild reaches exactly the live state; a
/// 240-point window cost about 1 ms a point here (four streams, so a rebuild of days took seconds), 64 about 0.15 ms.
/// Each channel that has sold in the held minutes gets its own revenue, orders and average-order-value streams too
/// (<see cref="ChannelStreams"/>), so a marketplace going quiet is seen even while the storefront carries the total.
/// Conversion has no per-channel stream: sessions arrive from analytics channels and orders from sales channels, so a
/// channel's orders over its own sessions is not a conversion rate.
/// The store's orders are also judged as counts over 15, 30 and 60 minutes against the same windows on the previous
/// week's days (<see cref="OrderDropTest"/>): half the checkouts lost for an hour hides in a 15-minute stream's noise
/// (and revenue's wholesale invoices) but not in an hour's count. Such a drop is an orders anomaly, and a revenue one
/// when that window's revenue fell too, so the product's anomaly rules fire on it.
/// </remarks>
public sealed class MinuteMonitor
{
    /// <summary>Minutes summed into each stream's point.</summary>
    public const int WindowMinutes = 15;

    /// <summary>Closed minutes kept for a watcher to catch up on (three hours: the longest rule window plus slack).</summary>
    public const int KeptMinutes = 180;

    /// <summary>
    /// How far back a rebuild replays: everything a detector remembers (three daily seasons, plus the slot radius and the
    /// spectral window) and the trailing window, with margin, then the likelihood's day of evidence and its hour of
    /// suppression on top, since that evidence is only the live run's once the detectors are. Replaying more would
    /// change no verdict.
    /// The robust half (<see cref="KpiAnomalyOptions.Robust"/>) needs longer: its spreads are the last 1,000 residuals
    /// about seasons that are only the live run's after three days, and its day of likelihood evidence follows them, so
    /// 3 days + 17 hours + a day + the hour of silence; five days leave margin.
    /// </summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromDays(5);

    private static readonly KpiStream[] Streams = Enum.GetValues<KpiStream>();

    /// <summary>The streams run for each selling channel.</summary>
    public static IReadOnlyList<KpiStream> ChannelStreams { get; } = [KpiStream.Revenue, KpiStream.Orders, KpiStream.AverageOrderValue];

    private readonly KpiAnomalyOptions _options;
    private readonly OrderDropOptions _dropOptions;
    private OrderDropTest? _drops;
    private readonly Dictionary<KpiStream, KpiAnomalyDetector> _detectors = [];

    // A channel stream's detector; null while it shares the store's detector of the same stream, because every point it
    // was fed so far equals the store's (a store selling through one channel). It gets its own copy the minute they part.
    private readonly Dictionary<(SalesChannel Channel, KpiStream Stream), KpiAnomalyDetector?> _channelDetectors = [];
    private readonly Dictionary<SalesChannel, long?> _lastChannelOrder = [];

    // The last average order value seen per stream owner; the store's own under NoChannel.
    private readonly Dictionary<SalesChannel, double> _lastAverageOrderValue = [];
    private const SalesChannel NoChannel = (SalesChannel)(-1);
    private readonly KeptMinuteRing _recent;
    private long? _lastClosed;
    private long? _lastOrderMinute;

    /// <param name="drops">Settings of the store's drop test (<see cref="OrderDropTest"/>); its defaults when null.</param>
    public MinuteMonitor(StoreRef store, KpiAnomalyOptions? options = null, OrderDropOptions? drops = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        _options = options ?? DefaultOptions;
        _options.Validate();
        _dropOptions = drops ?? new OrderDropOptions();
        _dropOptions.Validate();
        _recent = new KeptMinuteRing(store, KeptMinutes);
    }

    /// <summary>
    /// A daily season remembered for three days, judged once two previous days are known. The spread floor of one
    /// order (or pound) keeps a stream that is usually zero at night from alarming on its first sale.
    /// </summary>
    public static KpiAnomalyOptions DefaultOptions { get; } = new()
    {
        WindowSize = 64,
        Season = TimeSpan.FromDays(1),
        Seasons = 3,
        MinimumSeasons = 2,
        MinimumSpread = 1,

        // A day of minutes is the stream's normal (its whole daily rhythm), learnt whole before it judges anything; an
        // hour of silence after a detection.
        LikelihoodHistory = 24 * 60,
        LikelihoodLearning = 24 * 60,
        LikelihoodSuppression = 60,

        // The ensemble the NAB headline measures (LikelihoodEnsemble), on the same three days of seasons (read from the
        // same ring, so they cost nothing more) and the same day of likelihood history, learning and hour of silence.
        Robust = new RobustSeasonalOptions
        {
            Season = TimeSpan.FromDays(1),
            Seasons = 3,
            MinimumSeasons = 2,
            LikelihoodHistory = 24 * 60,
            LikelihoodLearning = 24 * 60,
            LikelihoodSuppression = 60,
        },
    };

    public StoreRef Store { get; }

    /// <summary>
    /// Whether a channel stream that has been fed exactly what the store's stream was shares its detector (true), or
    /// always has its own (false: how it was before, kept so tests can run both side by side).
    /// </summary>
    internal bool ShareIdenticalStreams { get; init; } = true;

    /// <summary>Detectors held: the store's streams plus those channel streams that do not share one.</summary>
    public int DetectorCount => _detectors.Count + _channelDetectors.Values.Count(d => d is not null);

    /// <summary>The newest closed minute (UTC start); null until the first close after start or recovery.</summary>
    public DateTimeOffset? LastClosed => _lastClosed is { } m ? FromMinute(m) : null;

    /// <summary>Whether the next close must first replay history: nothing closed yet, or the clock jumped past what is remembered.</summary>
    public bool NeedsRebuild(DateTimeOffset now) => _lastClosed is not { } last || ToMinute(now) - 1 - last > (long)WarmUp.TotalMinutes;

    /// <summary>
    /// Closes every minute completed by <paramref name="now"/> and returns the ones to publish. When a rebuild is needed
    /// it runs here first; its replayed minutes are kept for <see cref="Since"/> but only the newest is returned, as the
    /// others were (or could have been) published before. A store with no event held closes nothing.
    /// </summary>
    public IReadOnlyList<ClosedMinute> Close(KpiState state, DateTimeOffset now, string timeZone, string currency)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (NeedsRebuild(now))
        {
            var history = Capture(state, now);
            if (history.IsEmpty)
            {
                return [];
            }

            ReplayFrom(history, now, timeZone, currency);
            return _recent.Newest is { } newest ? [newest] : [];
        }

        var target = ToMinute(now) - 1;
        var zone = StoreTime.ResolveZone(timeZone, out var zoneId);
        var published = new List<ClosedMinute>();
        var source = new StateSource(state);
        for (var minute = _lastClosed!.Value + 1; minute <= target; minute++)
        {
            published.Add(CloseOne(source, minute, zone, zoneId, currency));
        }

        return published;
    }

    /// <summary>
    /// How far back before the first minute to close a watcher needs figures: a rebuild's replay (<see cref="WarmUp"/>),
    /// the trailing window before it and the week-ago minutes it compares with.
    /// </summary>
    public static readonly TimeSpan HistoryNeeded = WarmUp + TimeSpan.FromDays(7) + TimeSpan.FromMinutes(WindowMinutes);

    /// <summary>
    /// Closes every minute of <paramref name="history"/> up to its <see cref="MinuteHistory.Through"/> that this monitor
    /// has not closed, as a watcher fed by the entity's published minutes does; a first close, or one after a gap longer
    /// than <see cref="WarmUp"/>, replays the history first and returns only its newest minute, as <see cref="Close(KpiState, DateTimeOffset, string, string)"/> does.
    /// </summary>
    public IReadOnlyList<ClosedMinute> Close(MinuteHistory history, string timeZone, string currency)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Through is not { } through)
        {
            return [];
        }

        var now = FromMinute(through + 1);
        if (NeedsRebuild(now))
        {
            if (history.IsEmpty)
            {
                return [];
            }

            ReplayFrom(history, now, timeZone, currency);
            return _recent.Newest is { } newest ? [newest] : [];
        }

        var zone = StoreTime.ResolveZone(timeZone, out var zoneId);
        var published = new List<ClosedMinute>();
        for (var minute = _lastClosed!.Value + 1; minute <= through; minute++)
        {
            published.Add(CloseOne(history, minute, zone, zoneId, currency));
        }

        return published;
    }

    /// <summary>A copy of the minutes a rebuild at <paramref name="now"/> reads, so it can run while the entity goes on.</summary>
    public static MinuteHistory Capture(KpiState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var through = FromMinute(ToMinute(now) - 1);
        return MinuteHistory.From(StoreMinutes.Capture(state, through - HistoryNeeded, through, state.TimeZone ?? "UTC", state.Currency ?? string.Empty));
    }

    /// <summary>A monitor that has replayed <paramref name="history"/> up to the last minute completed by <paramref name="now"/>.</summary>
    public static MinuteMonitor Rebuild(MinuteHistory history, DateTimeOffset now, string timeZone, string currency, KpiAnomalyOptions? options = null, OrderDropOptions? drops = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        var monitor = new MinuteMonitor(history.Store, options, drops);
        if (!history.IsEmpty)
        {
            monitor.ReplayFrom(history, now, timeZone, currency);
        }

        return monitor;
    }

    /// <summary>
    /// Kept closed minutes after <paramref name="after"/> (all kept when null), oldest first. Only the newest carries its
    /// verdicts' score and likelihood; older ones have null there (see <see cref="KeptMinuteRing"/>).
    /// </summary>
    public IReadOnlyList<ClosedMinute> Since(DateTimeOffset? after) =>
        _recent.Since(after);

    private void ReplayFrom(MinuteHistory history, DateTimeOffset now, string timeZone, string currency)
    {
        var target = ToMinute(now) - 1;
        var start = Math.Max(history.Earliest, target - (long)WarmUp.TotalMinutes);
        _detectors.Clear();
        foreach (var stream in Streams)
        {
            _detectors[stream] = new KpiAnomalyDetector(_options);
        }

        _channelDetectors.Clear();
        _lastChannelOrder.Clear();
        _lastAverageOrderValue.Clear();
        _recent.Clear();
        _lastClosed = null;

        // The newest order before the replay starts, so "minutes since the last order" is right from the first minute.
        _lastOrderMinute = history.LastOrderBefore(start);
        foreach (var channel in history.SellingChannels)
        {
            _lastChannelOrder[channel] = history.LastOrderBefore(start, channel);
        }

        // The drop test compares with the same window on previous days, which lie before the replay: it learns them first.
        _drops = new OrderDropTest(history.Earliest, _dropOptions);
        for (var minute = Math.Max(history.Earliest, start - _dropOptions.MemoryMinutes); minute < start; minute++)
        {
            _drops.Learn(minute, history.At(minute).Orders);
        }

        var zone = StoreTime.ResolveZone(timeZone, out var zoneId);
        for (var minute = start; minute <= target; minute++)
        {
            CloseOne(history, minute, zone, zoneId, currency);
        }
    }

    private ClosedMinute CloseOne(IMinuteSource source, long minute, TimeZoneInfo zone, string zoneId, string currency)
    {
        var figures = source.At(minute);
        if (figures.Orders > 0)
        {
            _lastOrderMinute = minute;
        }

        var window = Window(m => source.At(m), minute);
        var local = TimeZoneInfo.ConvertTime(FromMinute(minute), zone);
        var inputs = new StreamInput[Streams.Length];
        for (var i = 0; i < Streams.Length; i++)
        {
            // An average of no orders (or no sessions) is fed as zero: the detector needs a point every step, and the
            // same slot on previous days was usually empty too, so the baseline expects it.
            inputs[i] = new StreamInput((double)(window.Of(Streams[i]) ?? 0m), EventSize(Streams[i], window, null));
        }

        // Channel inputs are known before the store's detectors move, so a channel stream that parts from the store's
        // this minute copies the detector as it stood before this point.
        var steps = PrepareChannels(source, minute);
        PartSharedDetectors(steps, inputs);

        var readings = new List<StreamReading>(Streams.Length);
        var verdicts = new AnomalyVerdict[Streams.Length];
        for (var i = 0; i < Streams.Length; i++)
        {
            verdicts[i] = _detectors[Streams[i]].Observe(local, inputs[i].Value, inputs[i].Size);
            readings.Add(new StreamReading(Streams[i], verdicts[i]));
        }

        if (_drops?.Observe(minute, figures.Orders) is { } drop)
        {
            MarkDrop(readings, drop, drop.RevenueOf(m => (double)source.At(m).Revenue));
        }

        var channels = CloseChannels(source, steps, minute, local, readings, verdicts);
        var closed = new ClosedMinute(
            Store,
            FromMinute(minute),
            local.DateTime,
            zoneId,
            currency,
            figures,
            source.At(minute - (24 * 60)),
            source.At(minute - (7 * 24 * 60)),
            _lastOrderMinute is { } last ? (int)(minute - last) : null,
            readings,
            channels);

        _recent.Add(closed);

        _lastClosed = minute;
        return closed;
    }

    /// <summary>
    /// A drop of orders found over a longer window is an anomaly of the store's orders, and of its revenue when the
    /// revenue of that window fell below its usual too (lost checkouts lose both; a day of small baskets is not this).
    /// The verdict then carries that window's figures, so the alert says what was seen over which minutes.
    /// </summary>
    private static void MarkDrop(List<StreamReading> readings, OrderDrop drop, (double Revenue, double Expected) revenue)
    {
        for (var i = 0; i < readings.Count; i++)
        {
            var reading = readings[i];
            if (reading.Channel is not null || reading.Verdict.IsAnomaly)
            {
                continue;
            }

            // Revenue's band is the orders' band in money: scaled by the usual revenue per order of the window.
            var scale = reading.Stream switch
            {
                KpiStream.Orders => 1.0,
                KpiStream.Revenue when drop.ExpectedOrders > 0 && revenue.Revenue < revenue.Expected => revenue.Expected / drop.ExpectedOrders,
                _ => 0,
            };
            if (scale == 0)
            {
                continue;
            }

            var value = reading.Stream == KpiStream.Orders ? drop.Orders : revenue.Revenue;
            var expected = drop.ExpectedOrders * scale;
            var lower = drop.LowerOrders * scale;
            var upper = expected + (expected - lower);
            var severity = AnomalyVerdict.SeverityOf(value, expected, lower, upper);
            readings[i] = reading with
            {
                Verdict = new AnomalyVerdict(true, value, expected, lower, upper, reading.Verdict.Score, severity == AnomalySeverity.None ? AnomalySeverity.Low : severity,
                    reading.Verdict.Likelihood, drop.WindowMinutes),
            };
        }
    }

    /// <summary>
    /// The channels judged this minute, with what each of their streams is fed. Updates each channel's last order and
    /// average order value as judging them always did; the store's own are kept apart, so this may run before the store's
    /// streams are judged.
    /// </summary>
    private List<ChannelStep> PrepareChannels(IMinuteSource source, long minute)
    {
        var steps = new List<ChannelStep>();

        // Before this minute the channel figures are not all known (state recovered from a pre-channel snapshot): a
        // window reaching back into it would read a made-up drop.
        if (source.ChannelsCompleteFrom is { } complete && minute < complete + WindowMinutes - 1)
        {
            return steps;
        }

        foreach (var channel in source.Channels)
        {
            var figures = source.At(minute, channel);
            if (figures.Orders > 0)
            {
                _lastChannelOrder[channel] = minute;
            }

            // A channel joins once it has sold: an analytics or ads channel has no revenue stream to watch.
            if (!_lastChannelOrder.TryGetValue(channel, out var lastOrder) || lastOrder is null)
            {
                continue;
            }

            var window = Window(m => source.At(m, channel), minute);
            var inputs = new StreamInput[ChannelStreams.Count];
            for (var k = 0; k < inputs.Length; k++)
            {
                inputs[k] = new StreamInput((double)(window.Of(ChannelStreams[k]) ?? 0m), EventSize(ChannelStreams[k], window, channel));
            }

            steps.Add(new ChannelStep(channel, figures, lastOrder.Value, inputs));
        }

        return steps;
    }

    /// <summary>
    /// Gives a channel stream its own detector where it stops being fed what the store's stream is (or is not judged
    /// this minute while the store's is), and lets a new channel stream share the store's detector when both start on
    /// the same point. Must run before the store's detectors are fed this minute.
    /// </summary>
    private void PartSharedDetectors(List<ChannelStep> steps, StreamInput[] storeInputs)
    {
        if (_channelDetectors.ContainsValue(null))
        {
            foreach (var (key, detector) in _channelDetectors.ToList())
            {
                if (detector is not null)
                {
                    continue;
                }

                var step = steps.Find(s => s.Channel == key.Channel);
                var input = step?.Inputs[ChannelStreamIndex(key.Stream)];
                if (input is not { } fed || !fed.SameAs(storeInputs[StreamIndex(key.Stream)]))
                {
                    _channelDetectors[key] = _detectors[key.Stream].Clone();
                }
            }
        }

        foreach (var step in steps)
        {
            for (var k = 0; k < ChannelStreams.Count; k++)
            {
                var stream = ChannelStreams[k];
                if (_channelDetectors.ContainsKey((step.Channel, stream)))
                {
                    continue;
                }

                var share = ShareIdenticalStreams && _detectors[stream].Observed == 0 && step.Inputs[k].SameAs(storeInputs[StreamIndex(stream)]);
                _channelDetectors[(step.Channel, stream)] = share ? null : new KpiAnomalyDetector(_options);
            }
        }
    }

    private List<ChannelMinute> CloseChannels(IMinuteSource source, List<ChannelStep> steps, long minute, DateTimeOffset local, List<StreamReading> readings, AnomalyVerdict[] storeVerdicts)
    {
        var channels = new List<ChannelMinute>(steps.Count);
        foreach (var step in steps)
        {
            for (var k = 0; k < ChannelStreams.Count; k++)
            {
                var stream = ChannelStreams[k];

                // A shared detector has judged this very point for the store (before any drop was marked on it).
                var verdict = _channelDetectors[(step.Channel, stream)] is { } own
                    ? own.Observe(local, step.Inputs[k].Value, step.Inputs[k].Size)
                    : storeVerdicts[StreamIndex(stream)];
                readings.Add(new StreamReading(stream, verdict, step.Channel));
            }

            channels.Add(new ChannelMinute(step.Channel, step.Figures, source.At(minute - (24 * 60), step.Channel), source.At(minute - (7 * 24 * 60), step.Channel),
                (int)(minute - step.LastOrder)));
        }

        return channels;
    }

    private static int StreamIndex(KpiStream stream) => Array.IndexOf(Streams, stream);

    private static int ChannelStreamIndex(KpiStream stream)
    {
        for (var k = 0; k < ChannelStreams.Count; k++)
        {
            if (ChannelStreams[k] == stream)
            {
                return k;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(stream), stream, "Not a channel stream.");
    }

    /// <summary>What one stream is fed for a minute: the window's value and the size of one arrival.</summary>
    private readonly record struct StreamInput(double Value, double Size)
    {
        // By bits: a shared detector must be fed exactly what its own would have been.
        public bool SameAs(StreamInput other) =>
            BitConverter.DoubleToInt64Bits(Value) == BitConverter.DoubleToInt64Bits(other.Value) && BitConverter.DoubleToInt64Bits(Size) == BitConverter.DoubleToInt64Bits(other.Size);
    }

    /// <summary>One channel judged in a minute: its figures, its newest order minute and its streams' inputs.</summary>
    private sealed record ChannelStep(SalesChannel Channel, MinuteFigures Figures, long LastOrder, StreamInput[] Inputs);

    /// <summary>
    /// The size of one arrival of a summed stream: 1 order, or the average order value of the window (the last one known
    /// while the window has no order); 0 for averages and rates, which are not sums of arrivals.
    /// </summary>
    private double EventSize(KpiStream stream, MinuteFigures window, SalesChannel? channel)
    {
        if (window.AverageOrderValue is { } aov)
        {
            _lastAverageOrderValue[channel ?? NoChannel] = (double)aov;
        }

        return stream switch
        {
            KpiStream.Orders => 1,
            KpiStream.Revenue => _lastAverageOrderValue.GetValueOrDefault(channel ?? NoChannel),
            _ => 0,
        };
    }

    private static MinuteFigures Window(Func<long, MinuteFigures> at, long minute)
    {
        var window = at(minute);
        for (var k = 1; k < WindowMinutes; k++)
        {
            window = window.Plus(at(minute - k));
        }

        return window;
    }

    internal static long ToMinute(DateTimeOffset instant) => Math.DivRem(instant.ToUnixTimeSeconds(), 60, out var rem) - (rem < 0 ? 1 : 0);

    internal static DateTimeOffset FromMinute(long minute) => DateTimeOffset.FromUnixTimeSeconds(minute * 60);
}

/// <summary>Where a monitor reads minute figures from: the live state, or a copy taken for a rebuild.</summary>
internal interface IMinuteSource
{
    /// <summary>Channels that have minutes held, selling or not.</summary>
    IReadOnlyList<SalesChannel> Channels { get; }

    /// <summary>The first minute whose channel figures are complete; null when all are.</summary>
    long? ChannelsCompleteFrom { get; }

    MinuteFigures At(long minute);

    MinuteFigures At(long minute, SalesChannel channel);
}

/// <summary>Reads the entity's state as it stands.</summary>
internal sealed class StateSource(KpiState state) : IMinuteSource
{
    public IReadOnlyList<SalesChannel> Channels { get; } = state.Channels;

    public long? ChannelsCompleteFrom { get; } = state.ChannelsCompleteFrom is { } c ? MinuteMonitor.ToMinute(c) : null;

    public MinuteFigures At(long minute) =>
        state.MinuteAt(MinuteMonitor.FromMinute(minute)) is { } b ? new MinuteFigures(b.GrossRevenue, b.Orders, b.Sessions) : MinuteFigures.Zero;

    public MinuteFigures At(long minute, SalesChannel channel) =>
        state.MinuteAt(MinuteMonitor.FromMinute(minute), channel) is { } b ? new MinuteFigures(b.GrossRevenue, b.Orders, b.Sessions) : MinuteFigures.Zero;
}

/// <summary>
/// A store's minute figures as a watcher holds them: filled from a <see cref="StoreMinutes.Pulled"/> copy and then, minute
/// by minute, from what the entity publishes (or, while it is idle, from the watcher's own clock). Minutes with nothing in
/// them are absent and read as zero; every minute up to <see cref="Through"/> is final.
/// </summary>
public sealed class MinuteHistory : IMinuteSource
{
    private readonly Dictionary<long, MinuteFigures> _figures = [];
    private readonly Dictionary<SalesChannel, Dictionary<long, MinuteFigures>> _channels = [];
    private readonly List<SalesChannel> _channelOrder = [];

    public MinuteHistory(StoreRef store)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
    }

    /// <summary>The history of a pull's answer.</summary>
    public static MinuteHistory From(StoreMinutes.Pulled pulled)
    {
        ArgumentNullException.ThrowIfNull(pulled);
        var history = new MinuteHistory(pulled.Store) { ChannelsCompleteFrom = pulled.ChannelsCompleteFrom is { } c ? MinuteMonitor.ToMinute(c) : null };
        history.Merge(pulled);
        return history;
    }

    public StoreRef Store { get; }

    public bool IsEmpty => _figures.Count == 0;

    /// <summary>Channels that have minutes held, selling or not, in order.</summary>
    public IReadOnlyList<SalesChannel> Channels => _channelOrder;

    /// <summary>Channels with at least one order held.</summary>
    public IReadOnlyList<SalesChannel> SellingChannels => [.. _channels.Where(kv => kv.Value.Values.Any(f => f.Orders > 0)).Select(kv => kv.Key).Order()];

    public long? ChannelsCompleteFrom { get; private set; }

    /// <summary>The newest final minute (minute number); null before any is known.</summary>
    public long? Through { get; private set; }

    internal long Earliest => _figures.Count == 0 ? long.MaxValue : _figures.Keys.Min();

    public MinuteFigures At(long minute) => _figures.TryGetValue(minute, out var f) ? f : MinuteFigures.Zero;

    public MinuteFigures At(long minute, SalesChannel channel) =>
        _channels.TryGetValue(channel, out var held) && held.TryGetValue(minute, out var f) ? f : MinuteFigures.Zero;

    /// <summary>Takes a pull's minutes after what is held (those up to <see cref="Through"/> are final and kept as they are).</summary>
    public void Merge(StoreMinutes.Pulled pulled)
    {
        ArgumentNullException.ThrowIfNull(pulled);
        foreach (var minute in pulled.Minutes)
        {
            if (Through is not { } through || MinuteMonitor.ToMinute(minute.At) > through)
            {
                Put(minute);
            }
        }

        AdvanceTo(MinuteMonitor.ToMinute(pulled.Through));
    }

    /// <summary>Adds the next final minute; minutes between the last one held and it are empty.</summary>
    public void Add(StoreMinutes.Minute minute)
    {
        ArgumentNullException.ThrowIfNull(minute);
        Put(minute);
        AdvanceTo(MinuteMonitor.ToMinute(minute.At));
    }

    /// <summary>Every minute up to <paramref name="minute"/> is final; those not added are empty.</summary>
    public void AdvanceTo(long minute)
    {
        if (Through is not { } through || minute > through)
        {
            Through = minute;
            Trim(minute - (long)MinuteMonitor.HistoryNeeded.TotalMinutes);
        }
    }

    private void Put(StoreMinutes.Minute minute)
    {
        var at = MinuteMonitor.ToMinute(minute.At);
        if (!minute.Figures.IsZero)
        {
            _figures[at] = minute.Figures;
        }

        foreach (var channel in minute.Channels)
        {
            if (!_channels.TryGetValue(channel.Channel, out var held))
            {
                _channels[channel.Channel] = held = [];
                _channelOrder.Add(channel.Channel);
                _channelOrder.Sort();
            }

            held[at] = channel.Figures;
        }
    }

    // What no close can read any more (older than a rebuild's replay and its week-ago minutes) is let go.
    private void Trim(long before)
    {
        if (_figures.Count > 0 && Earliest < before)
        {
            foreach (var old in _figures.Keys.Where(m => m < before).ToList())
            {
                _figures.Remove(old);
            }

            foreach (var held in _channels.Values)
            {
                foreach (var old in held.Keys.Where(m => m < before).ToList())
                {
                    held.Remove(old);
                }
            }
        }
    }

    internal long? LastOrderBefore(long minute) => LastOrderBefore(_figures, minute);

    internal long? LastOrderBefore(long minute, SalesChannel channel) =>
        _channels.TryGetValue(channel, out var held) ? LastOrderBefore(held, minute) : null;

    private static long? LastOrderBefore(Dictionary<long, MinuteFigures> figures, long minute)
    {
        long? last = null;
        foreach (var (m, f) in figures)
        {
            if (m < minute && f.Orders > 0 && (last is null || m > last))
            {
                last = m;
            }
        }

        return last;
    }
}
