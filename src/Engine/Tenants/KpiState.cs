using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Quarantine;
using SalesDash.Engine.Time;

namespace SalesDash.Engine.Tenants;

/// <summary>
/// The live figures of one store: per-UTC-minute KPI buckets folded from commerce events, with the
/// dedupe memory that makes retried deliveries count once. Pure and single-threaded: the tenant entity
/// calls <see cref="Decide"/> for a command and <see cref="Apply"/> for an accepted (or replayed) event.
/// </summary>
/// <remarks>
/// Retention runs on event time, not the wall clock, so replaying the journal after a restart prunes
/// exactly as the live run did and gives identical figures. The trade-off: one event stamped far in the
/// future would age everything out; connectors stamp events with the platform's own timestamps.
/// </remarks>
public sealed partial class KpiState
{
    /// <summary>8 days covers "same local time last week" from any zone (UTC-12..UTC+14); one more day of slack.</summary>
    public static readonly TimeSpan BucketRetention = TimeSpan.FromDays(9);

    /// <summary>Shopify retries a webhook delivery for 48 hours; 72 keeps a margin for late retries.</summary>
    public static readonly TimeSpan EventIdRetention = TimeSpan.FromHours(72);

    private const int RevenueWindowMinutes = 60;

    // Minutes are held once, by the channel each event came through; a store-wide minute is the sum of its channels'.
    // Channels are few per store (one per connector, at most the enum's size) and a channel only has buckets for
    // minutes it had an event in. Holding the store-wide minutes as well doubled the buckets of a store whose minutes
    // each see one channel (most small stores), and buckets are most of a small store's memory.
    private readonly Dictionary<SalesChannel, MinuteSeries> _channelBuckets = [];

    // Minutes folded before buckets were split by channel (recovered from a format-1 snapshot): their channel is
    // unknown, so they count store-wide and in no channel.
    private readonly MinuteSeries _unknownChannel = new();
    // Orders by id with the minute they count in and refunds already counted: exact, and compact because a busy store
    // holds tens of thousands of each (see CompactIdMap). Event ids counted in the last 72 hours, as 16-byte keys (see
    // SeenEventIds): a busy store holds over a hundred thousand, most of them analytics sessions no other map can judge.
    private readonly CompactIdMap<OrderContribution> _orders;
    private readonly CompactIdMap<byte> _refunds;
    private readonly SeenEventIds _seenEvents;

    // The few order totals whose decimal integer does not fit an entry's 63 bits (see OrderContribution), by order id.
    // Entries that expired from the order map are dropped when the horizon next moves.
    private readonly Dictionary<string, decimal> _largeTotals = [];
    private long _largeTotalsCheckedBefore = long.MinValue;

    private long _watermarkMinute = long.MinValue;
    private long _oldestBucketMinute = long.MaxValue;
    private long _channelsCompleteFrom = long.MinValue;

    public KpiState(StoreRef store)
        : this(store, null)
    {
    }

    /// <summary>A state whose id maps use the given hash; tests pass a colliding one to prove dedupe stays exact.</summary>
    internal KpiState(StoreRef store, Func<string, ulong>? idHash)
    {
        Store = store;
        _orders = idHash is null ? new() : new(idHash);
        _refunds = idHash is null ? new() : new(idHash);
        _seenEvents = new(oneHome: idHash is not null);
    }

    public StoreRef Store { get; }

    /// <summary>Number of events accepted and folded so far.</summary>
    public long EventsApplied { get; private set; }

    /// <summary>Currency of the latest applied event; null before the first.</summary>
    public string? Currency { get; private set; }

    /// <summary>IANA zone of the latest applied event; null before the first.</summary>
    public string? TimeZone { get; private set; }

    /// <summary>How many store-wide minutes are held; bounded by <see cref="BucketRetention"/>.</summary>
    public int BucketCount => AllSeries().SelectMany(series => series.Minutes().Select(m => m.Minute)).Distinct().Count();

    /// <summary>How many per-channel minute buckets are held, over all channels; bounded by <see cref="BucketRetention"/>.</summary>
    public int ChannelBucketCount => _channelBuckets.Values.Sum(b => b.Count);

    /// <summary>The channels with at least one minute held, in enum order.</summary>
    public IReadOnlyList<SalesChannel> Channels => [.. _channelBuckets.Where(kv => kv.Value.Count > 0).Select(kv => kv.Key).Order()];

    /// <summary>
    /// The first minute whose per-channel figures are complete; null when they all are. State recovered from a
    /// snapshot written before buckets were split by channel knows no channel for the minutes before it.
    /// </summary>
    public DateTimeOffset? ChannelsCompleteFrom => _channelsCompleteFrom == long.MinValue ? null : FromMinute(_channelsCompleteFrom);

    /// <summary>How many orders are tracked for the version gate; bounded by <see cref="BucketRetention"/>.</summary>
    public int TrackedOrderCount => _orders.Count;

    /// <summary>How many order totals are held beside the order map because their entry could not hold them; tests watch it drain.</summary>
    internal int LargeTotalCount => _largeTotals.Count;

    /// <summary>How many event ids are remembered for dedupe; bounded by <see cref="EventIdRetention"/>.</summary>
    public int RememberedEventIdCount => _seenEvents.Count;

    /// <summary>Whether the event would change the figures, without changing anything.</summary>
    public IngestOutcome Decide(CommerceEvent commerceEvent)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        if (_seenEvents.Contains(commerceEvent.EventId))
        {
            return IngestOutcome.Duplicate;
        }

        return commerceEvent switch
        {
            OrderEvent order when _orders.TryGet(order.OrderId, out _, out var held) && order.Version.UtcTicks <= held.VersionUtcTicks
                => IngestOutcome.Duplicate,
            RefundIssued refund when _refunds.Contains(refund.RefundId) => IngestOutcome.Duplicate,
            _ => IngestOutcome.Accepted,
        };
    }

    /// <summary>
    /// Folds an accepted event into the buckets and returns the UTC minutes whose totals changed.
    /// An event that <see cref="Decide"/> calls a duplicate changes nothing, so replay is safe; so does one that
    /// <see cref="TryApply"/> refuses (it never throws).
    /// </summary>
    public IReadOnlyCollection<DateTimeOffset> Apply(CommerceEvent commerceEvent) =>
        TryApply(commerceEvent, out var changed) is null ? changed : [];

    /// <summary>
    /// Folds the event in like <see cref="Apply"/>, or, when it cannot be (it fails <see cref="CommerceEventGuard.CheckShape"/>
    /// or would overflow a minute's totals), changes nothing and says why. Never throws: one bad event must not stop a
    /// store, neither when it arrives nor each time the journal is replayed.
    /// </summary>
    public GuardProblem? TryApply(CommerceEvent commerceEvent, out IReadOnlyCollection<DateTimeOffset> changed)
    {
        changed = [];
        if (Check(commerceEvent) is { } problem)
        {
            return problem;
        }

        if (Decide(commerceEvent) == IngestOutcome.Duplicate)
        {
            return null;
        }

        try
        {
            changed = Fold(commerceEvent).Held(this);
            return null;
        }
        catch (Exception e) when (e is ArithmeticException or ArgumentException or InvalidOperationException)
        {
            // The checks above make this unreachable for every event they pass; should a future field slip through
            // them, the event is still refused rather than crashing the store.
            return NotFolded(e);
        }
    }

    /// <summary>
    /// <see cref="TryApply"/> for a caller that has just run <see cref="CommerceEventGuard.CheckShape"/> (or
    /// <see cref="CommerceEventGuard.Check"/>) and had <see cref="Decide"/> answer <see cref="IngestOutcome.Accepted"/>,
    /// with nothing folded in between: only the minute's overflow check is left to run. The minutes that changed are added
    /// to <paramref name="changedMinutes"/>. Kafka mode's entity folds every record this way; running both checks twice
    /// and handing the minutes over in an array of their own was work on the one thread that folds a store's records.
    /// </summary>
    public GuardProblem? TryApplyDecided(CommerceEvent commerceEvent, HashSet<DateTimeOffset> changedMinutes)
    {
        if (UnitsOverflow(commerceEvent) is { } problem)
        {
            return problem;
        }

        try
        {
            Fold(commerceEvent).AddHeldTo(this, changedMinutes);
            return null;
        }
        catch (Exception e) when (e is ArithmeticException or ArgumentException or InvalidOperationException)
        {
            return NotFolded(e);
        }
    }

    private static GuardProblem NotFolded(Exception e) => new("event", $"could not be folded in: {e.Message}");

    /// <summary>Null when <see cref="TryApply"/> would fold the event in, else why not; changes nothing.</summary>
    public GuardProblem? Check(CommerceEvent commerceEvent)
    {
        if (commerceEvent is null)
        {
            return new GuardProblem("event", "missing");
        }

        return CommerceEventGuard.CheckShape(commerceEvent) ?? UnitsOverflow(commerceEvent);
    }

    /// <summary>Minute totals are ints; the guard bounds one order's units, this bounds their sum in one minute.</summary>
    private GuardProblem? UnitsOverflow(CommerceEvent commerceEvent)
    {
        if (commerceEvent is OrderEvent order && StoreMinute(ToMinute(order.PlacedAt)) is { } bucket)
        {
            var units = UnitsOf(order.Lines);
            if (bucket.Units + units > int.MaxValue || bucket.Orders == int.MaxValue)
            {
                return new GuardProblem("lines[].quantity", $"{units} more units would overflow the minute's total of {bucket.Units}");
            }
        }

        return null;
    }

    private ChangedMinutes Fold(CommerceEvent commerceEvent)
    {
        EventsApplied++;
        Currency = commerceEvent.Currency;
        TimeZone = commerceEvent.StoreTimeZone;
        var occurredMinute = ToMinute(commerceEvent.OccurredAt);
        _watermarkMinute = Math.Max(_watermarkMinute, occurredMinute);
        RememberEvent(commerceEvent.EventId, occurredMinute);

        // At most two minutes (an order moved from its previous minute to its new one): held in fields, not a set, as
        // this runs for every event folded.
        var changed = default(ChangedMinutes);
        switch (commerceEvent)
        {
            case OrderEvent order:
                ApplyOrder(order, ref changed);
                break;
            case RefundIssued refund:
                if (IsRetained(occurredMinute))
                {
                    _refunds.Set(refund.RefundId, occurredMinute, 0);
                    AddTo(ChannelSeries(refund.Channel), occurredMinute, new MinuteTotals { Refunds = refund.Amount });
                    changed.Add(occurredMinute);
                }

                break;
            case SessionStarted:
                if (IsRetained(occurredMinute))
                {
                    AddTo(ChannelSeries(commerceEvent.Channel), occurredMinute, new MinuteTotals { Sessions = 1 });
                    changed.Add(occurredMinute);
                }

                break;
            case AdSpendRecorded spend:
                if (IsRetained(occurredMinute))
                {
                    AddTo(ChannelSeries(spend.Channel), occurredMinute, new MinuteTotals { AdSpend = spend.Spend });
                    changed.Add(occurredMinute);
                }

                break;
        }

        Prune();
        return changed;
    }

    /// <summary>
    /// The dashboard for the store-local day containing <paramref name="now"/>, against the same local
    /// day a week earlier up to the same local time of day. Both ends of each range are converted to UTC
    /// separately, so 23- and 25-hour days and DST changes between the two weeks line up by wall clock.
    /// </summary>
    public DashboardTiles Tiles(DateTimeOffset now, string timeZoneId, string currency)
    {
        var zone = ResolveZone(timeZoneId, out var zoneId);
        var localNow = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        var today = localNow.Date;
        var lastWeek = today.AddDays(-7);
        var nowMinute = ToMinute(now);

        var todayFrom = ToMinute(LocalToUtc(today, zone));
        var lastWeekFrom = ToMinute(LocalToUtc(lastWeek, zone));
        var lastWeekTo = ToMinute(LocalToUtc(lastWeek + localNow.TimeOfDay, zone));
        // The store's figures are its channels' added up, plus any minutes whose channel is unknown.
        var todayTotals = Sum(_unknownChannel, todayFrom, nowMinute);
        var lastWeekTotals = Sum(_unknownChannel, lastWeekFrom, lastWeekTo);
        // The store's minutes are summed in place and become points once: with many stores nearly every delivery pushes
        // tiles, and minute points were a fifth of what a folded record allocated (a third of them copies made while adding).
        Span<decimal> minuteGross = stackalloc decimal[RevenueWindowMinutes];
        Span<int> minuteOrders = stackalloc int[RevenueWindowMinutes];
        AddMinutes(_unknownChannel, nowMinute, minuteGross, minuteOrders);
        var customers = CustomersBetween(todayFrom, nowMinute, lastWeekFrom, lastWeekTo);

        // Each order's own channel, not the store's: an Amazon order under a Shopify store ranks as Amazon.
        var channels = new List<ChannelTiles>();
        foreach (var (channel, buckets) in _channelBuckets.OrderBy(kv => kv.Key))
        {
            var t = Sum(buckets, todayFrom, nowMinute);
            var w = Sum(buckets, lastWeekFrom, lastWeekTo);
            todayTotals.Add(t);
            lastWeekTotals.Add(w);
            AddMinutes(buckets, nowMinute, minuteGross, minuteOrders);
            if (t.Orders == 0 && t.Refunds == 0m && w.Orders == 0 && w.Refunds == 0m)
            {
                continue; // sessions or ad spend only: not a sales channel today
            }

            var points = PerMinute(buckets, nowMinute);
            var buyers = customers.Of(channel);
            channels.Add(new ChannelTiles(channel.ToString(),
                new KpiTile(t.Gross, w.Gross), new KpiTile(t.Gross - t.Refunds, w.Gross - w.Refunds), new KpiTile(t.Refunds, w.Refunds),
                new KpiTile(t.Orders, w.Orders), new KpiTile(t.AverageOrderValue, w.AverageOrderValue), new KpiTile(t.Units, w.Units),
                buyers.New, buyers.Returning, points) { GuestOrders = buyers.Guests });
        }

        return new DashboardTiles
        {
            TenantId = Store.TenantId,
            StoreId = Store.StoreId,
            Currency = currency,
            TimeZone = zoneId,
            LocalDate = today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            AsOf = now.ToUniversalTime(),
            GrossRevenue = new KpiTile(todayTotals.Gross, lastWeekTotals.Gross),
            Refunds = new KpiTile(todayTotals.Refunds, lastWeekTotals.Refunds),
            NetRevenue = new KpiTile(todayTotals.Gross - todayTotals.Refunds, lastWeekTotals.Gross - lastWeekTotals.Refunds),
            Orders = new KpiTile(todayTotals.Orders, lastWeekTotals.Orders),
            AverageOrderValue = new KpiTile(todayTotals.AverageOrderValue, lastWeekTotals.AverageOrderValue),
            UnitsSold = new KpiTile(todayTotals.Units, lastWeekTotals.Units),
            NewCustomers = customers.New,
            ReturningCustomers = customers.Returning,
            GuestOrders = customers.Guests,
            CustomersCountedFrom = customers.CountedFrom,
            RevenuePerMinute = Points(minuteGross, minuteOrders, nowMinute),
            EventsApplied = EventsApplied,
            Channels = channels,
        };
    }

    /// <summary>Absolute totals of the given minutes, for the snapshot store; minutes no longer held are skipped.</summary>
    public IReadOnlyList<MinuteKpiRow> Rows(IEnumerable<DateTimeOffset> minutes, string currency)
    {
        ArgumentNullException.ThrowIfNull(minutes);
        var rows = new List<MinuteKpiRow>();
        foreach (var minute in minutes.Select(ToMinute).Distinct().Order())
        {
            if (StoreMinute(minute) is { } b)
            {
                rows.Add(new MinuteKpiRow(Store.TenantId, Store.StoreId, FromMinute(minute), currency, b.Gross, b.Refunds,
                    b.Orders, b.Units, b.NewCustomerOrders, b.ReturningCustomerOrders, b.CancelledOrders));
            }
        }

        return rows;
    }

    /// <summary>The oldest UTC minute held; null before the first event. Minute monitors rebuild from here after recovery.</summary>
    public DateTimeOffset? EarliestMinute =>
        AllSeries().Select(series => series.Earliest).Min() is { } earliest ? FromMinute(earliest) : null;

    /// <summary>The totals of one UTC minute; null when nothing happened in it or it is no longer held.</summary>
    public MinuteBucketSnapshot? MinuteAt(DateTimeOffset minute)
    {
        var key = ToMinute(minute);
        return StoreMinute(key)?.ToSnapshot(FromMinute(key));
    }

    /// <summary>The totals of one UTC minute on one channel; null when the channel had nothing in it or it is no longer held.</summary>
    public MinuteBucketSnapshot? MinuteAt(DateTimeOffset minute, SalesChannel channel)
    {
        var key = ToMinute(minute);
        return _channelBuckets.TryGetValue(channel, out var series) && series.TryGet(key, out var b) ? b.ToSnapshot(FromMinute(key)) : null;
    }

    /// <summary>A serialisable copy of everything held, for persistence snapshots.</summary>
    public KpiSnapshot ToSnapshot() => WithCustomers(new(
        EventsApplied,
        Currency,
        TimeZone,
        _watermarkMinute == long.MinValue ? null : FromMinute(_watermarkMinute),
        _unknownChannel.Minutes().Select(m => m.Totals.ToSnapshot(FromMinute(m.Minute))).ToArray(),
        _orders.Entries().Select(o => new OrderSnapshot(o.Id, new DateTimeOffset(o.Value.VersionUtcTicks, TimeSpan.Zero), FromMinute(o.Minute),
            TotalOf(o.Id, o.Value), o.Value.Units, o.Value.Returning, o.Value.Cancelled, o.Value.Channel)).ToArray(),
        _refunds.Entries().Select(r => new RefundSnapshot(r.Id, FromMinute(r.Minute))).ToArray(),
        // Told apart by the key's tag, not by decoding: a checkpoint of a busy store writes every id it remembers, and
        // decoding each to ask was two strings thrown away per id on top of the one written.
        [.. _seenEvents.Entries().Where(e => SeenEventIds.IsExact(e.Key))
            .Select(e => new SeenEventSnapshot(SeenEventIds.Describe(e.Key)!, FromMinute(e.Minute)))],
        KpiSnapshot.CurrentFormat,
        _channelBuckets.OrderBy(kv => kv.Key).SelectMany(kv => kv.Value.Minutes().Select(m =>
            ChannelMinuteSnapshot.Of(kv.Key, m.Totals.ToSnapshot(FromMinute(m.Minute))))).ToArray(),
        ChannelsCompleteFrom)
    {
        SeenFingerprints = [.. _seenEvents.Entries().Where(e => !SeenEventIds.IsExact(e.Key))
            .Select(e => new SeenFingerprintSnapshot((ulong)(e.Key >> 64), (ulong)e.Key, FromMinute(e.Minute)))],
    });

    /// <summary>Rebuilds the state a snapshot was taken from.</summary>
    public static KpiState FromSnapshot(StoreRef store, KpiSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var state = new KpiState(store)
        {
            EventsApplied = snapshot.EventsApplied,
            Currency = snapshot.Currency,
            TimeZone = snapshot.TimeZone,
        };
        if (snapshot.Watermark is { } watermark)
        {
            state._watermarkMinute = ToMinute(watermark);
        }

        if (snapshot.Format < 2)
        {
            // Written before buckets were split by channel: the minutes it holds have no channel, so channel
            // series start after them rather than reading a made-up zero for every channel.
            state._channelsCompleteFrom = state._watermarkMinute == long.MinValue ? long.MinValue : state._watermarkMinute + 1;
        }
        else if (snapshot.ChannelsCompleteFrom is { } complete)
        {
            state._channelsCompleteFrom = ToMinute(complete);
        }

        foreach (var c in snapshot.ChannelBuckets ?? [])
        {
            state.AddTo(state.ChannelSeries(c.Channel), ToMinute(c.Minute), MinuteTotals.From(c.Totals()));
        }

        foreach (var b in snapshot.Buckets)
        {
            var minute = ToMinute(b.Minute);
            var unknown = MinuteTotals.From(b);
            if (snapshot.Format == 2)
            {
                // Format 2 held every minute store-wide beside its channels: what no channel accounts for has an
                // unknown channel (an empty bucket stays, as it did before, so the minute is still held).
                foreach (var series in state._channelBuckets.Values)
                {
                    if (series.TryGet(minute, out var channel))
                    {
                        unknown.Add(channel, -1);
                    }
                }

                if (unknown.IsEmpty && state.HoldsChannelMinute(minute))
                {
                    continue;
                }
            }

            state.AddTo(state._unknownChannel, minute, unknown);
        }

        var buyers = BuyersOf(snapshot);
        foreach (var o in snapshot.Orders)
        {
            var minute = ToMinute(o.PlacedMinute);
            var contribution = new OrderContribution(o.Version.UtcTicks, o.TotalPrice, o.Units, o.ReturningCustomer, o.Cancelled, o.Channel,
                buyers.TryGetValue((PurchaseHash(o.OrderId), minute), out var buyer) ? buyer : null);
            if (contribution.HasLargeTotal)
            {
                state._largeTotals[o.OrderId] = o.TotalPrice;
            }

            state._orders.Set(o.OrderId, minute, contribution);
        }

        foreach (var r in snapshot.Refunds)
        {
            state._refunds.Set(r.RefundId, ToMinute(r.Minute), 0);
        }

        foreach (var e in snapshot.SeenEvents)
        {
            state.RememberEvent(e.EventId, ToMinute(e.OccurredMinute));
        }

        foreach (var f in snapshot.SeenFingerprints ?? [])
        {
            state._seenEvents.Set(new UInt128(f.High, f.Low), ToMinute(f.OccurredMinute));
        }

        state.RestoreCustomers(snapshot);
        return state;
    }

    private void ApplyOrder(OrderEvent order, ref ChangedMinutes changed)
    {
        // An upsert: the order's previous contribution comes out whole and the new version goes in, so an
        // edited total moves the figure and a changed PlacedAt moves the order to its new minute.
        if (_orders.TryGet(order.OrderId, out var previousMinute, out var previous) && _orders.Remove(order.OrderId))
        {
            // An order recovered from a pre-channel snapshot counted in the minutes of unknown channel.
            var series = previous.Channel is { } oldChannel ? _channelBuckets.GetValueOrDefault(oldChannel) : _unknownChannel;
            if (series is not null && series.Contains(previousMinute))
            {
                series.Add(previousMinute, Contribution(previous, TotalOf(order.OrderId, previous)), -1);
                changed.Add(previousMinute);
            }

            _largeTotals.Remove(order.OrderId);
        }

        var minute = ToMinute(order.PlacedAt);
        if (!IsRetained(minute))
        {
            return;
        }

        // Cancelling keeps the order and its gross in the placed minute and only counts it as cancelled:
        // the money comes back through RefundIssued. That is Shopify's split of gross sales and returns,
        // and it avoids subtracting the same money twice when the refund arrives.
        var contribution = new OrderContribution(order.Version.UtcTicks, order.TotalPrice,
            (int)UnitsOf(order.Lines), order.ReturningCustomer, order.CancelledAt is not null, order.Channel, BuyerOf(order));
        if (contribution.HasLargeTotal)
        {
            _largeTotals[order.OrderId] = order.TotalPrice;
        }

        _orders.Set(order.OrderId, minute, contribution);
        AddTo(ChannelSeries(order.Channel), minute, Contribution(contribution, order.TotalPrice));
        changed.Add(minute);
    }

    /// <summary>The order's units, counted by index: enumerating the list through its interface boxed an enumerator per order.</summary>
    private static long UnitsOf(IReadOnlyList<OrderLine> lines)
    {
        var units = 0L;
        for (var i = 0; i < lines.Count; i++)
        {
            units += lines[i].Quantity;
        }

        return units;
    }

    /// <summary>The minutes one event changed, without duplicates; two in fields, any more (none today) in a list.</summary>
    private struct ChangedMinutes
    {
        private long _first;
        private long _second;
        private int _count;
        private List<long>? _more;

        public void Add(long minute)
        {
            if ((_count > 0 && _first == minute) || (_count > 1 && _second == minute) || (_more?.Contains(minute) ?? false))
            {
                return;
            }

            switch (_count++)
            {
                case 0:
                    _first = minute;
                    break;
                case 1:
                    _second = minute;
                    break;
                default:
                    (_more ??= []).Add(minute);
                    break;
            }
        }

        /// <summary>Those the state still holds (pruning may have dropped one), as UTC minutes.</summary>
        public readonly DateTimeOffset[] Held(KpiState state)
        {
            if (_count == 0)
            {
                return [];
            }

            var held = new DateTimeOffset[_count];
            var kept = 0;
            for (var i = 0; i < _count; i++)
            {
                var minute = i switch { 0 => _first, 1 => _second, _ => _more![i - 2] };
                if (state.HoldsMinute(minute))
                {
                    held[kept++] = FromMinute(minute);
                }
            }

            return kept == held.Length ? held : held[..kept];
        }

        /// <summary>Adds those the state still holds to <paramref name="minutes"/>, as <see cref="Held"/> lists them.</summary>
        public readonly void AddHeldTo(KpiState state, HashSet<DateTimeOffset> minutes)
        {
            for (var i = 0; i < _count; i++)
            {
                var minute = i switch { 0 => _first, 1 => _second, _ => _more![i - 2] };
                if (state.HoldsMinute(minute))
                {
                    minutes.Add(FromMinute(minute));
                }
            }
        }
    }

    /// <summary>The order's total: from its entry, or from beside the map when the entry could not hold it.</summary>
    private decimal TotalOf(string orderId, in OrderContribution order) => order.HasLargeTotal ? _largeTotals[orderId] : order.Total;

    private void RememberEvent(string eventId, long minute)
    {
        if (!_seenEvents.TryGetMinute(eventId, out var held) || held < minute)
        {
            _seenEvents.Set(eventId, minute);
        }
    }

    private bool IsRetained(long minute) => minute >= BucketHorizon;

    private long BucketHorizon => _watermarkMinute == long.MinValue ? long.MinValue : _watermarkMinute - (long)BucketRetention.TotalMinutes;

    private void Prune()
    {
        if (_watermarkMinute == long.MinValue)
        {
            return;
        }

        var bucketHorizon = BucketHorizon;
        var eventHorizon = _watermarkMinute - (long)EventIdRetention.TotalMinutes;

        _orders.ExpireBefore(bucketHorizon);
        if (_largeTotals.Count > 0 && bucketHorizon > _largeTotalsCheckedBefore)
        {
            _largeTotalsCheckedBefore = bucketHorizon;
            foreach (var id in _largeTotals.Keys.Where(id => !_orders.Contains(id)).ToArray())
            {
                _largeTotals.Remove(id);
            }
        }

        _refunds.ExpireBefore(bucketHorizon);
        _seenEvents.ExpireBefore(eventHorizon);

        if (_oldestBucketMinute >= bucketHorizon)
        {
            return;
        }

        foreach (var series in AllSeries())
        {
            series.RemoveBefore(bucketHorizon);
        }

        // A lower bound is enough to skip this when nothing can have aged out; everything older is gone.
        _oldestBucketMinute = AllSeries().Any(series => series.Count > 0) ? bucketHorizon : long.MaxValue;
    }

    private IEnumerable<MinuteSeries> AllSeries() => _channelBuckets.Values.Append(_unknownChannel);

    /// <summary>Looped over, not asked with Any: that took a closure, a delegate and a boxed enumerator per folded event.</summary>
    private bool HoldsChannelMinute(long minute)
    {
        foreach (var series in _channelBuckets.Values)
        {
            if (series.Contains(minute))
            {
                return true;
            }
        }

        return false;
    }

    private bool HoldsMinute(long minute) => _unknownChannel.Contains(minute) || HoldsChannelMinute(minute);

    /// <summary>The store-wide totals of a minute: its channels' added up; null when no channel holds it.</summary>
    private MinuteTotals? StoreMinute(long minute)
    {
        // The channels' series and then the unknown channel's, not AllSeries(): this runs for every minute a publish writes.
        MinuteTotals? sum = null;
        foreach (var series in _channelBuckets.Values)
        {
            AddIfHeld(series, minute, ref sum);
        }

        AddIfHeld(_unknownChannel, minute, ref sum);
        return sum;
    }

    private static void AddIfHeld(MinuteSeries series, long minute, ref MinuteTotals? sum)
    {
        if (series.TryGet(minute, out var totals))
        {
            var held = sum ?? default;
            held.Add(totals);
            sum = held;
        }
    }

    private MinuteSeries ChannelSeries(SalesChannel channel)
    {
        if (!_channelBuckets.TryGetValue(channel, out var series))
        {
            series = new MinuteSeries();
            _channelBuckets[channel] = series;
        }

        return series;
    }

    private void AddTo(MinuteSeries series, long minute, in MinuteTotals delta)
    {
        series.Add(minute, delta);
        _oldestBucketMinute = Math.Min(_oldestBucketMinute, minute);
    }

    /// <summary>What one order adds to its minute.</summary>
    private static MinuteTotals Contribution(OrderContribution order, decimal total) => new()
    {
        Gross = total,
        Orders = 1,
        Units = order.Units,
        // Guest checkouts carry no history, so they count as new customers.
        ReturningCustomerOrders = order.Returning ? 1 : 0,
        NewCustomerOrders = order.Returning ? 0 : 1,
        CancelledOrders = order.Cancelled ? 1 : 0,
    };

    /// <summary>Adds the series' minutes of the revenue window to the window's sums (index 0 is the oldest minute).</summary>
    private static void AddMinutes(MinuteSeries series, long nowMinute, Span<decimal> gross, Span<int> orders)
    {
        for (var i = 0; i < RevenueWindowMinutes; i++)
        {
            if (series.TryGet(nowMinute - (RevenueWindowMinutes - 1) + i, out var totals))
            {
                gross[i] += totals.Gross;
                orders[i] += totals.Orders;
            }
        }
    }

    private static MinutePoint[] Points(ReadOnlySpan<decimal> gross, ReadOnlySpan<int> orders, long nowMinute)
    {
        var points = new MinutePoint[RevenueWindowMinutes];
        for (var i = 0; i < RevenueWindowMinutes; i++)
        {
            points[i] = new MinutePoint(FromMinute(nowMinute - (RevenueWindowMinutes - 1) + i), gross[i], orders[i]);
        }

        return points;
    }

    private static MinutePoint[] PerMinute(MinuteSeries series, long nowMinute)
    {
        var perMinute = new MinutePoint[RevenueWindowMinutes];
        for (var i = 0; i < RevenueWindowMinutes; i++)
        {
            var minute = nowMinute - (RevenueWindowMinutes - 1) + i;
            series.TryGet(minute, out var totals);
            perMinute[i] = new MinutePoint(FromMinute(minute), totals.Gross, totals.Orders);
        }

        return perMinute;
    }

    private static Totals Sum(MinuteSeries series, long fromMinute, long toMinuteInclusive)
    {
        var totals = new Totals();
        foreach (var (_, b) in series.Between(fromMinute, toMinuteInclusive))
        {
            totals.Gross += b.Gross;
            totals.Refunds += b.Refunds;
            totals.Orders += b.Orders;
            totals.Units += b.Units;
            totals.NewCustomerOrders += b.NewCustomerOrders;
            totals.ReturningCustomerOrders += b.ReturningCustomerOrders;
        }

        return totals;
    }

    private static TimeZoneInfo ResolveZone(string timeZoneId, out string resolvedId) => StoreTime.ResolveZone(timeZoneId, out resolvedId);

    private static DateTimeOffset LocalToUtc(DateTime local, TimeZoneInfo zone) => StoreTime.LocalToUtc(local, zone);

    private static long ToMinute(DateTimeOffset instant) => Math.DivRem(instant.ToUnixTimeSeconds(), 60, out var rem) - (rem < 0 ? 1 : 0);

    private static DateTimeOffset FromMinute(long minute) => DateTimeOffset.FromUnixTimeSeconds(minute * 60);

    /// <summary>What one order adds to its minute and who bought it; the minute itself is held by the order map.</summary>
    /// <remarks>
    /// 32 bytes, one per order a busy store holds for 9 days. The total is the <see cref="decimal"/>'s own integer and
    /// scale, so it reads back exactly as it came (10.50 stays 10.50); a total whose integer does not fit 63 bits is held
    /// beside the map (see <see cref="KpiState.TotalOf"/>). The buyer lives here too rather than in a list of purchases
    /// that repeated the order's hash, minute and channel.
    /// </remarks>
    private readonly struct OrderContribution
    {
        private const byte ReturningFlag = 1, CancelledFlag = 2, ChannelKnownFlag = 4, BuyerKnownFlag = 8;

        // The scale byte of a total held outside the struct: a decimal's own scale is at most 28.
        private const byte LargeTotal = byte.MaxValue;

        // Declared widest first: a struct's fields are laid out in this order.
        public readonly long VersionUtcTicks;
        private readonly long _totalUnits;
        private readonly ulong _buyer;
        public readonly int Units;
        private readonly byte _flags;
        private readonly byte _channel;
        private readonly byte _totalScale;

        /// <param name="buyer">The buyer's key hash (<see cref="Guest"/> for an unidentified guest); null when unknown (an order recovered from a snapshot older than buyers).</param>
        public OrderContribution(long versionUtcTicks, decimal total, int units, bool returning, bool cancelled, SalesChannel? channel, ulong? buyer)
        {
            VersionUtcTicks = versionUtcTicks;
            (_totalUnits, _totalScale) = ScaledDecimal.TrySplit(total, out var units64, out var scale) ? (units64, scale) : (0L, LargeTotal);
            Units = units;
            _buyer = buyer ?? Guest;
            _flags = (byte)((returning ? ReturningFlag : 0) | (cancelled ? CancelledFlag : 0) | (channel is null ? 0 : ChannelKnownFlag)
                | (buyer is null ? 0 : BuyerKnownFlag));
            _channel = checked((byte)(channel ?? 0));
        }

        public bool Returning => (_flags & ReturningFlag) != 0;

        public bool Cancelled => (_flags & CancelledFlag) != 0;

        public SalesChannel? Channel => (_flags & ChannelKnownFlag) != 0 ? (SalesChannel)_channel : null;

        /// <summary>The buyer's key hash; null when the order's buyer is not known.</summary>
        public ulong? Buyer => (_flags & BuyerKnownFlag) != 0 ? _buyer : null;

        /// <summary>Whether the total is held outside the struct.</summary>
        public bool HasLargeTotal => _totalScale == LargeTotal;

        /// <summary>The total, when it is held here (<see cref="HasLargeTotal"/> false).</summary>
        public decimal Total
        {
            get
            {
                if (HasLargeTotal)
                {
                    throw new InvalidOperationException("the total is held outside the order's entry");
                }

                return ScaledDecimal.Join(_totalUnits, _totalScale);
            }
        }
    }

    // Sums of a day of minutes: long, so a day of full minutes cannot overflow where one minute does not.
    private sealed class Totals
    {
        public decimal Gross { get; set; }
        public decimal Refunds { get; set; }
        public long Orders { get; set; }
        public long Units { get; set; }
        public long NewCustomerOrders { get; set; }
        public long ReturningCustomerOrders { get; set; }

        public decimal AverageOrderValue => Orders == 0 ? 0m : Math.Round(Gross / Orders, 2, MidpointRounding.AwayFromZero);

        public void Add(Totals other)
        {
            Gross += other.Gross;
            Refunds += other.Refunds;
            Orders += other.Orders;
            Units += other.Units;
            NewCustomerOrders += other.NewCustomerOrders;
            ReturningCustomerOrders += other.ReturningCustomerOrders;
        }
    }
}

/// <summary>Everything a <see cref="KpiState"/> holds, in a form persistence snapshots can serialise.</summary>
/// <remarks>
/// Snapshots already in the store are read by this same record: fields added later are optional, and
/// <see cref="Format"/> (absent, so 1, in the first format) says which of them the writer knew about.
/// </remarks>
/// <param name="Buckets">
/// Store-wide minute totals in formats 1 and 2; from format 3, only the minutes whose channel is unknown (folded before
/// buckets were split by channel), since a store-wide minute is the sum of its channels'.
/// </param>
/// <param name="Format">
/// 1: store-wide buckets only. 2: also <see cref="ChannelBuckets"/> and each order's channel. 3: <see cref="Buckets"/>
/// holds only the minutes of unknown channel. 4: also <see cref="Purchases"/>, each standing order's buyer. 5: event ids
/// too long to be held exactly are in <see cref="SeenFingerprints"/>, not <see cref="SeenEvents"/>.
/// </param>
/// <param name="ChannelBuckets">Per-channel minute totals (format 2).</param>
/// <param name="ChannelsCompleteFrom">The first minute with complete channel figures; null when all are (format 2).</param>
/// <param name="Quarantine">The store's quarantined events, written by the entity beside the figures; null before quarantine existed.</param>
/// <param name="KafkaOffsets">
/// In Kafka mode, the highest offset folded into these figures per "topic/partition", written by the entity: the
/// checkpoint it resumes from, ignoring records at or below it. Null when the store was never fed from Kafka.
/// </param>
/// <param name="Purchases">Each standing order's buyer, for the customer tiles (format 4).</param>
/// <param name="CustomersCompleteFrom">The first minute whose buyers are all held; null when all are (format 4).</param>
/// <param name="SeenFingerprints">Event ids held as fingerprints, whose text is not kept (format 5, see <see cref="SeenEventIds"/>).</param>
public sealed record KpiSnapshot(
    long EventsApplied,
    string? Currency,
    string? TimeZone,
    DateTimeOffset? Watermark,
    IReadOnlyList<MinuteBucketSnapshot> Buckets,
    IReadOnlyList<OrderSnapshot> Orders,
    IReadOnlyList<RefundSnapshot> Refunds,
    IReadOnlyList<SeenEventSnapshot> SeenEvents,
    int Format = 1,
    IReadOnlyList<ChannelMinuteSnapshot>? ChannelBuckets = null,
    DateTimeOffset? ChannelsCompleteFrom = null,
    IReadOnlyList<Quarantine.QuarantinedEvent>? Quarantine = null,
    IReadOnlyDictionary<string, long>? KafkaOffsets = null,
    IReadOnlyList<CustomerPurchaseSnapshot>? Purchases = null,
    DateTimeOffset? CustomersCompleteFrom = null,
    IReadOnlyList<SeenFingerprintSnapshot>? SeenFingerprints = null)
{
    /// <summary>The format <see cref="KpiState.ToSnapshot"/> writes.</summary>
    public const int CurrentFormat = 5;
}

/// <summary>One channel's totals of one minute in a <see cref="KpiSnapshot"/>.</summary>
public sealed record ChannelMinuteSnapshot(
    SalesChannel Channel,
    DateTimeOffset Minute,
    decimal GrossRevenue,
    decimal Refunds,
    int Orders,
    int Units,
    int NewCustomerOrders,
    int ReturningCustomerOrders,
    int CancelledOrders,
    int Sessions,
    decimal AdSpend)
{
    /// <summary>The channel's totals of the minute <paramref name="totals"/> holds.</summary>
    public static ChannelMinuteSnapshot Of(SalesChannel channel, MinuteBucketSnapshot totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        return new(channel, totals.Minute, totals.GrossRevenue, totals.Refunds, totals.Orders, totals.Units, totals.NewCustomerOrders,
            totals.ReturningCustomerOrders, totals.CancelledOrders, totals.Sessions, totals.AdSpend);
    }

    /// <summary>The minute's totals without the channel.</summary>
    public MinuteBucketSnapshot Totals() =>
        new(Minute, GrossRevenue, Refunds, Orders, Units, NewCustomerOrders, ReturningCustomerOrders, CancelledOrders, Sessions, AdSpend);
}

/// <summary>One minute's totals in a <see cref="KpiSnapshot"/>.</summary>
public sealed record MinuteBucketSnapshot(
    DateTimeOffset Minute,
    decimal GrossRevenue,
    decimal Refunds,
    int Orders,
    int Units,
    int NewCustomerOrders,
    int ReturningCustomerOrders,
    int CancelledOrders,
    int Sessions,
    decimal AdSpend);

/// <summary>An order's current contribution, kept for the version gate and for upserts.</summary>
public sealed record OrderSnapshot(
    string OrderId,
    DateTimeOffset Version,
    DateTimeOffset PlacedMinute,
    decimal TotalPrice,
    int Units,
    bool ReturningCustomer,
    bool Cancelled,
    SalesChannel? Channel = null);

/// <summary>A refund already counted, so a retried one is not.</summary>
public sealed record RefundSnapshot(string RefundId, DateTimeOffset Minute);

/// <summary>An event id already seen, with the minute it occurred (drives its expiry).</summary>
public sealed record SeenEventSnapshot(string EventId, DateTimeOffset OccurredMinute);

/// <summary>An event id already seen, held as its 127-bit fingerprint (the two halves of the key), with the minute it occurred.</summary>
public sealed record SeenFingerprintSnapshot(ulong High, ulong Low, DateTimeOffset OccurredMinute);
