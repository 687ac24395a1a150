namespace SalesDash.Engine.History;

/// <summary>One KPI over a period and over its comparison. Change and ratio are null when either side is unknown.</summary>
public sealed record KpiDelta(decimal? Value, decimal? Previous)
{
    public decimal? Change => Value is { } v && Previous is { } p ? v - p : null;

    /// <summary>Relative change; null when the comparison is zero or unknown.</summary>
    public decimal? ChangeRatio => Value is { } v && Previous is { } p && p != 0m ? Math.Round((v - p) / p, 4, MidpointRounding.AwayFromZero) : null;
}

/// <summary>The KPIs of a summary, each with its delta against the comparison.</summary>
public sealed record HistoryKpis(
    KpiDelta GrossRevenue,
    KpiDelta NetRevenue,
    KpiDelta Orders,
    KpiDelta AverageOrderValue,
    KpiDelta ConversionRate,
    KpiDelta UnitsSold,
    KpiDelta Refunds,
    KpiDelta NewCustomers,
    KpiDelta ReturningCustomers,
    KpiDelta Sessions,
    KpiDelta CancelledOrders);

/// <summary>A resolved period as the API shows it: local dates (inclusive) and the UTC range.</summary>
public sealed record PeriodInfo(string Name, DateOnly From, DateOnly To, DateTimeOffset FromUtc, DateTimeOffset ToUtc)
{
    public static PeriodInfo Of(string name, HistoryPeriod period)
    {
        ArgumentNullException.ThrowIfNull(period);
        return new PeriodInfo(name, period.FirstDate, period.LastDate, period.Utc.FromUtc, period.Utc.ToUtc);
    }
}

/// <summary>What a user asks: whose figures, in which zone, which period, compared with what.</summary>
public sealed record HistoryRequest(HistoryScope Scope, TimeZoneInfo Zone, PeriodKind Period, ComparisonKind Comparison, DateOnly? From = null, DateOnly? To = null);

public sealed record HistorySummary(string TenantId, string? StoreId, string TimeZone, PeriodInfo Period, PeriodInfo? Comparison, HistoryKpis Kpis);

/// <summary>One point of a trend; Start is the bucket's store-local start.</summary>
public sealed record TrendPoint(
    DateTime Start,
    DateTimeOffset StartUtc,
    decimal GrossRevenue,
    decimal NetRevenue,
    long Orders,
    long Units,
    decimal Refunds,
    decimal? AverageOrderValue,
    long Sessions,
    decimal? ConversionRate);

public sealed record HistoryTrend(
    string TenantId,
    string? StoreId,
    string TimeZone,
    TrendGrain Grain,
    PeriodInfo Period,
    PeriodInfo? Comparison,
    IReadOnlyList<TrendPoint> Points,
    IReadOnlyList<TrendPoint>? ComparisonPoints);

/// <summary>What a breakdown is ranked by.</summary>
public enum BreakdownMetric
{
    Revenue,
    Units,
    Orders,
    Refunds,
    ReturnRate,
}

/// <summary>One ranked group: its figures, its share of the period's revenue, and (with a comparison) its revenue then.</summary>
public sealed record BreakdownRow(
    int Rank,
    string Key,
    string Label,
    decimal GrossRevenue,
    decimal? RevenueShare,
    long Orders,
    long Units,
    decimal? AverageOrderValue,
    decimal Refunds,
    long RefundedUnits,
    decimal? ReturnRate,
    long Sessions,
    decimal? ConversionRate,
    KpiDelta Revenue);

public sealed record HistoryBreakdown(
    string TenantId,
    string? StoreId,
    string TimeZone,
    BreakdownDimension By,
    BreakdownMetric RankedBy,
    PeriodInfo Period,
    PeriodInfo? Comparison,
    int TotalGroups,
    IReadOnlyList<BreakdownRow> Rows);

/// <summary>
/// Answers "compared to what, and why" from an <see cref="IHistoryStore"/>: resolves periods in the store's zone,
/// sums the store's slots into KPIs and local trend buckets, ranks breakdowns. The same code runs over either
/// store, so DuckDB and ClickHouse answer with the same figures.
/// </summary>
public sealed class HistoryQueries(IHistoryStore store, TimeProvider time)
{
    /// <summary>Slots are 15 minutes: every zone's offset is a whole number of quarter hours, so local hours and days are sums of slots.</summary>
    private static readonly TimeSpan QuarterHour = TimeSpan.FromMinutes(15);

    /// <summary>Hour slots when every bucket starts on a whole UTC hour, so the stores answer from their hourly rollups.</summary>
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    public async Task<HistorySummary> SummaryAsync(HistoryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (current, previous) = Periods(request);
        var now = await TotalsAsync(request.Scope, current.Utc, cancellationToken);
        var then = previous is null ? null : await TotalsAsync(request.Scope, previous.Utc, cancellationToken);

        KpiDelta Delta(Func<HistoryTotals, decimal?> figure) => new(figure(now), then is null ? null : figure(then));
        var kpis = new HistoryKpis(
            Delta(t => t.GrossRevenue),
            Delta(t => t.GrossRevenue - t.Refunds),
            Delta(t => t.Orders),
            Delta(AverageOrderValue),
            Delta(ConversionRate),
            Delta(t => t.Units),
            Delta(t => t.Refunds),
            Delta(t => t.NewCustomerOrders),
            Delta(t => t.ReturningCustomerOrders),
            Delta(t => t.Sessions),
            Delta(t => t.CancelledOrders));
        return new HistorySummary(request.Scope.TenantId, request.Scope.StoreId, request.Zone.Id, Info(request, current),
            previous is null ? null : Info(request, previous, comparison: true), kpis);
    }

    public async Task<HistoryTrend> TrendAsync(HistoryRequest request, TrendGrain? grain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (current, previous) = Periods(request);
        var cut = grain ?? HistoryPeriods.DefaultGrain(current);
        if (!HistoryPeriods.GrainFits(current, cut))
        {
            throw new ArgumentException("minute points are only offered for periods of up to two days");
        }

        var points = await PointsAsync(request, current, cut, cancellationToken);
        var comparisonPoints = previous is null ? null : await PointsAsync(request, previous, cut, cancellationToken);
        return new HistoryTrend(request.Scope.TenantId, request.Scope.StoreId, request.Zone.Id, cut, Info(request, current),
            previous is null ? null : Info(request, previous, comparison: true), points, comparisonPoints);
    }

    public async Task<HistoryBreakdown> BreakdownAsync(
        HistoryRequest request, BreakdownDimension by, BreakdownMetric rankBy, int? limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (current, previous) = Periods(request);
        var groups = await store.BreakdownAsync(request.Scope, current.Utc, by, cancellationToken);
        var earlier = previous is null
            ? null
            : (await store.BreakdownAsync(request.Scope, previous.Utc, by, cancellationToken)).ToDictionary(g => g.Key, StringComparer.Ordinal);
        var total = groups.Sum(g => g.GrossRevenue);

        var ranked = groups
            .OrderByDescending(g => Metric(g, rankBy) ?? decimal.MinValue)
            .ThenByDescending(g => g.GrossRevenue)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(limit ?? int.MaxValue)
            .Select((g, i) => new BreakdownRow(
                i + 1,
                g.Key,
                g.Label,
                g.GrossRevenue,
                total == 0m ? null : Math.Round(g.GrossRevenue / total, 4, MidpointRounding.AwayFromZero),
                g.Orders,
                g.Units,
                g.Orders == 0 ? null : Math.Round(g.GrossRevenue / g.Orders, 2, MidpointRounding.AwayFromZero),
                g.Refunds,
                g.RefundedUnits,
                ReturnRate(g),
                g.Sessions,
                g.Sessions == 0 ? null : Math.Round((decimal)g.Orders / g.Sessions, 4, MidpointRounding.AwayFromZero),
                new KpiDelta(g.GrossRevenue, earlier is null ? null : earlier.TryGetValue(g.Key, out var e) ? e.GrossRevenue : 0m)))
            .ToList();

        return new HistoryBreakdown(request.Scope.TenantId, request.Scope.StoreId, request.Zone.Id, by, rankBy, Info(request, current),
            previous is null ? null : Info(request, previous, comparison: true), groups.Count, ranked);
    }

    /// <summary>Average order value to the cent; null without orders.</summary>
    public static decimal? AverageOrderValue(HistoryTotals totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        return totals.Orders == 0 ? null : Math.Round(totals.GrossRevenue / totals.Orders, 2, MidpointRounding.AwayFromZero);
    }

    /// <summary>Orders per session (4 decimals); null when no sessions were recorded, as a rate of nothing is unknown, not zero.</summary>
    public static decimal? ConversionRate(HistoryTotals totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        return totals.Sessions == 0 ? null : Math.Round((decimal)totals.Orders / totals.Sessions, 4, MidpointRounding.AwayFromZero);
    }

    /// <summary>Refunded units over units sold (4 decimals); null when none were sold.</summary>
    public static decimal? ReturnRate(BreakdownTotals group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return group.Units == 0 ? null : Math.Round((decimal)group.RefundedUnits / group.Units, 4, MidpointRounding.AwayFromZero);
    }

    private static decimal? Metric(BreakdownTotals g, BreakdownMetric metric) => metric switch
    {
        BreakdownMetric.Units => g.Units,
        BreakdownMetric.Orders => g.Orders,
        BreakdownMetric.Refunds => g.Refunds,
        BreakdownMetric.ReturnRate => ReturnRate(g),
        _ => g.GrossRevenue,
    };

    private (HistoryPeriod Current, HistoryPeriod? Previous) Periods(HistoryRequest request)
    {
        var current = HistoryPeriods.Resolve(request.Period, time.GetUtcNow(), request.Zone, request.From, request.To);
        return (current, HistoryPeriods.Compare(request.Period, current, request.Comparison, request.Zone));
    }

    private static PeriodInfo Info(HistoryRequest request, HistoryPeriod period, bool comparison = false)
    {
        var name = request.Period.ToString();
        return PeriodInfo.Of(comparison ? $"{name}:{request.Comparison}" : name, period);
    }

    private async Task<HistoryTotals> TotalsAsync(HistoryScope scope, HistoryRange range, CancellationToken cancellationToken)
    {
        if (range.Length <= TimeSpan.Zero)
        {
            return HistoryTotals.Zero;
        }

        // One slot as long as the range (rounded up to whole seconds) gives the totals in one row per fact table.
        var seconds = Math.Max(1, (long)Math.Ceiling(range.Length.TotalSeconds));
        var slots = await store.SlotsAsync(scope, range, TimeSpan.FromSeconds(seconds), cancellationToken);
        return slots.Aggregate(HistoryTotals.Zero, (sum, slot) => sum.Plus(slot.Totals));
    }

    /// <summary>True when the period and each of its buckets start on a whole UTC hour (any zone whose offsets are whole hours).</summary>
    private static bool BucketsOnWholeHours(HistoryPeriod period, TrendGrain grain, TimeZoneInfo zone)
    {
        if (!HistoryRollups.Covers(period.Utc))
        {
            return false;
        }

        for (var start = HistoryPeriods.BucketStart(period.StartLocal, grain); start < period.EndLocal; start = HistoryPeriods.NextBucket(start, grain))
        {
            if (!HistoryRollups.IsWholeHour(HistoryPeriods.LocalToUtc(start, zone)))
            {
                return false;
            }
        }

        return true;
    }

    private async Task<IReadOnlyList<TrendPoint>> PointsAsync(HistoryRequest request, HistoryPeriod period, TrendGrain grain, CancellationToken cancellationToken)
    {
        var buckets = new SortedDictionary<DateTime, HistoryTotals>();
        for (var start = HistoryPeriods.BucketStart(period.StartLocal, grain); start < period.EndLocal; start = HistoryPeriods.NextBucket(start, grain))
        {
            buckets[start] = HistoryTotals.Zero;
        }

        if (period.Utc.Length > TimeSpan.Zero)
        {
            var slot = grain == TrendGrain.Minute ? TimeSpan.FromMinutes(1)
                : BucketsOnWholeHours(period, grain, request.Zone) ? Hour
                : QuarterHour;
            foreach (var s in await store.SlotsAsync(request.Scope, period.Utc, slot, cancellationToken))
            {
                var local = TimeZoneInfo.ConvertTime(period.Utc.FromUtc + (slot * s.Index), request.Zone).DateTime;
                var key = HistoryPeriods.BucketStart(local, grain);
                buckets[key] = (buckets.TryGetValue(key, out var held) ? held : HistoryTotals.Zero).Plus(s.Totals);
            }
        }

        return [.. buckets.Select(b => new TrendPoint(
            b.Key,
            HistoryPeriods.LocalToUtc(b.Key, request.Zone),
            b.Value.GrossRevenue,
            b.Value.GrossRevenue - b.Value.Refunds,
            b.Value.Orders,
            b.Value.Units,
            b.Value.Refunds,
            AverageOrderValue(b.Value),
            b.Value.Sessions,
            ConversionRate(b.Value)))];
    }
}
