using Microsoft.EntityFrameworkCore;
using SalesDash.Connectors.Currency;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.History;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Reports;

/// <summary>One store's part of a report: the figures of each section it prints (null when the section is off).</summary>
/// <param name="IsRollUp">The "all stores" part: its money is in the reporting currency, converted at the stored rates.</param>
public sealed record StoreReport(
    StoreProfile Store, HistorySummary? Summary, HistoryTrend? Trend, HistoryBreakdown? TopProducts, HistoryBreakdown? Channels, bool IsRollUp = false);

/// <summary>Everything a report prints for one period.</summary>
public sealed record ReportContent(ReportDefinition Report, DateOnly From, DateOnly To, DateTimeOffset GeneratedAt, IReadOnlyList<StoreReport> Stores);

/// <summary>A store's money could not be rolled up: no rate converts its currency on a day it sold.</summary>
public sealed class MissingExchangeRateException(string from, string to, DateOnly date)
    : InvalidOperationException($"No exchange rate from {from} to {to} on or before {date:yyyy-MM-dd}: add one under Exchange rates to roll these stores up.");

/// <summary>
/// Reads a report's figures from history: the same queries, and so the same figures, as the History page. The
/// roll-up of several stores converts each store's money one local day at a time at that day's stored rate (the rate
/// the rates table holds on or before the day), so a month of sales is not valued at the last day's rate.
/// </summary>
public sealed class ReportComposer(
    HistoryQueries history, SalesDash.Engine.Stores.IStoreDirectory stores, IExchangeRates rates, IDbContextFactory<AppIdentityDbContext> databases,
    TimeProvider time)
{
    /// <summary>Top products list this many.</summary>
    public const int TopProducts = 10;

    /// <summary>The store id the roll-up part is shown under; no store can have it (store ids are lower-case slugs).</summary>
    public const string RollUpStoreId = "ALL";

    /// <summary>The dates a send at <paramref name="at"/> covers: the fixed range of a custom report, else the last complete period.</summary>
    public static (DateOnly From, DateOnly To) PeriodAt(ReportDefinition report, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Period == ReportPeriod.Custom && report.From is { } from && report.To is { } to
            ? (from, to)
            : ReportSchedule.CoveredPeriod(report.Period, ReportRunner.Zone(report), at);
    }

    public async Task<ReportContent> ComposeAsync(ReportDefinition report, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var zone = ReportRunner.Zone(report);
        // An hour-by-hour trend for a single day, day by day for anything longer.
        var grain = from == to ? TrendGrain.Hour : TrendGrain.Day;
        var parts = new List<StoreReport>();
        foreach (var storeId in report.StoreIds)
        {
            if (await stores.GetAsync(new StoreRef(report.TenantId, storeId), cancellationToken) is not { } store)
            {
                // A store removed since the report was saved is left out rather than failing every send.
                continue;
            }

            var request = new HistoryRequest(HistoryScope.Store(report.TenantId, storeId), zone, PeriodKind.Custom, ComparisonKind.Previous, from, to);
            var sections = report.Sections;
            parts.Add(new StoreReport(
                store,
                sections.KpiSummary ? await history.SummaryAsync(request, cancellationToken) : null,
                sections.Trend ? await history.TrendAsync(request, grain, cancellationToken) : null,
                sections.TopProducts ? await history.BreakdownAsync(request with { Comparison = ComparisonKind.None }, BreakdownDimension.Product,
                    BreakdownMetric.Revenue, TopProducts, cancellationToken) : null,
                sections.ChannelBreakdown ? await history.BreakdownAsync(request, BreakdownDimension.Channel, BreakdownMetric.Revenue, null, cancellationToken) : null));
        }

        if (report.RollUp && parts.Count > 0 && (report.Sections.KpiSummary || report.Sections.Trend))
        {
            parts.Insert(0, await RollUpAsync(report, parts, zone, from, to, grain, cancellationToken));
        }

        return new ReportContent(report, from, to, time.GetUtcNow(), parts);
    }

    /// <summary>
    /// Every store's summary and trend as one, money in the reporting currency. Counts add up as they are; money is
    /// converted per store and local day (or hour) bucket at that day's rate and rounded to the cent, then added;
    /// average order value and conversion rate are worked out again from the sums, as the History page works them out.
    /// </summary>
    private async Task<StoreReport> RollUpAsync(
        ReportDefinition report, IReadOnlyList<StoreReport> parts, TimeZoneInfo zone, DateOnly from, DateOnly to, TrendGrain grain, CancellationToken cancellationToken)
    {
        var currency = await ReportingCurrencyAsync(report.TenantId, parts, cancellationToken);
        var now = HistoryTotals.Zero;
        var then = HistoryTotals.Zero;
        var points = new SortedDictionary<DateTime, TrendPoint>();
        var previousPoints = new SortedDictionary<DateTime, TrendPoint>();
        HistoryTrend? shape = null;
        foreach (var part in parts)
        {
            var request = new HistoryRequest(HistoryScope.Store(report.TenantId, part.Store.Store.StoreId), zone, PeriodKind.Custom, ComparisonKind.Previous, from, to);
            // The money is always read bucket by bucket, so each bucket converts at its own day's rate.
            var trend = part.Trend ?? await history.TrendAsync(request, grain, cancellationToken);
            var summary = part.Summary ?? await history.SummaryAsync(request, cancellationToken);
            shape ??= trend;
            var converted = await ConvertAsync(trend.Points, part.Store.Currency, currency, cancellationToken);
            var convertedBefore = await ConvertAsync(trend.ComparisonPoints ?? [], part.Store.Currency, currency, cancellationToken);
            Add(points, converted);
            Add(previousPoints, convertedBefore);
            now = now.Plus(Totals(summary.Kpis, k => k.Value, converted));
            then = then.Plus(Totals(summary.Kpis, k => k.Previous, convertedBefore));
        }

        var first = parts[0].Summary ?? await history.SummaryAsync(
            new HistoryRequest(HistoryScope.Store(report.TenantId, parts[0].Store.Store.StoreId), zone, PeriodKind.Custom, ComparisonKind.Previous, from, to), cancellationToken);
        var kpis = new HistoryKpis(
            new(now.GrossRevenue, then.GrossRevenue),
            new(now.GrossRevenue - now.Refunds, then.GrossRevenue - then.Refunds),
            new(now.Orders, then.Orders),
            new(HistoryQueries.AverageOrderValue(now), HistoryQueries.AverageOrderValue(then)),
            new(HistoryQueries.ConversionRate(now), HistoryQueries.ConversionRate(then)),
            new(now.Units, then.Units),
            new(now.Refunds, then.Refunds),
            new(now.NewCustomerOrders, then.NewCustomerOrders),
            new(now.ReturningCustomerOrders, then.ReturningCustomerOrders),
            new(now.Sessions, then.Sessions),
            new(now.CancelledOrders, then.CancelledOrders));
        var profile = new StoreProfile(new StoreRef(report.TenantId, RollUpStoreId), $"All stores in {currency}", SalesChannel.OnlineStore, string.Empty, currency, zone.Id, string.Empty);
        var summaryAll = new HistorySummary(report.TenantId, null, zone.Id, first.Period, first.Comparison, kpis);
        var trendAll = shape! with { StoreId = null, Points = [.. points.Values], ComparisonPoints = [.. previousPoints.Values] };
        return new StoreReport(profile, report.Sections.KpiSummary ? summaryAll : null, report.Sections.Trend ? trendAll : null, null, null, IsRollUp: true);
    }

    private static HistoryTotals Totals(HistoryKpis k, Func<KpiDelta, decimal?> side, IReadOnlyList<TrendPoint> money) => new(
        money.Sum(p => p.GrossRevenue),
        (long)(side(k.Orders) ?? 0m),
        (long)(side(k.UnitsSold) ?? 0m),
        (long)(side(k.NewCustomers) ?? 0m),
        (long)(side(k.ReturningCustomers) ?? 0m),
        (long)(side(k.CancelledOrders) ?? 0m),
        money.Sum(p => p.Refunds),
        0,
        0,
        (long)(side(k.Sessions) ?? 0m));

    private static void Add(SortedDictionary<DateTime, TrendPoint> sums, IReadOnlyList<TrendPoint> points)
    {
        foreach (var p in points)
        {
            if (!sums.TryGetValue(p.Start, out var sum))
            {
                sums[p.Start] = p with { AverageOrderValue = HistoryQueries.AverageOrderValue(Of(p)), ConversionRate = HistoryQueries.ConversionRate(Of(p)) };
                continue;
            }

            var total = Of(sum).Plus(Of(p));
            sums[p.Start] = sum with
            {
                GrossRevenue = total.GrossRevenue,
                NetRevenue = sum.NetRevenue + p.NetRevenue,
                Orders = total.Orders,
                Units = total.Units,
                Refunds = total.Refunds,
                Sessions = total.Sessions,
                AverageOrderValue = HistoryQueries.AverageOrderValue(total),
                ConversionRate = HistoryQueries.ConversionRate(total),
            };
        }
    }

    private static HistoryTotals Of(TrendPoint p) => new(p.GrossRevenue, p.Orders, p.Units, 0, 0, 0, p.Refunds, 0, 0, p.Sessions);

    private async Task<IReadOnlyList<TrendPoint>> ConvertAsync(IReadOnlyList<TrendPoint> points, string from, string to, CancellationToken cancellationToken)
    {
        if (string.Equals(from, to, StringComparison.OrdinalIgnoreCase))
        {
            return points;
        }

        var converted = new List<TrendPoint>(points.Count);
        var byDay = new Dictionary<DateOnly, decimal>();
        foreach (var p in points)
        {
            if (p.GrossRevenue == 0m && p.Refunds == 0m && p.NetRevenue == 0m)
            {
                converted.Add(p);
                continue;
            }

            var day = DateOnly.FromDateTime(p.Start);
            if (!byDay.TryGetValue(day, out var rate))
            {
                rate = (await rates.FindAsync(from.ToUpperInvariant(), to.ToUpperInvariant(), day, cancellationToken)
                    ?? throw new MissingExchangeRateException(from, to, day)).Rate;
                byDay[day] = rate;
            }

            var gross = Cents(p.GrossRevenue * rate);
            var refunds = Cents(p.Refunds * rate);
            converted.Add(p with { GrossRevenue = gross, Refunds = refunds, NetRevenue = gross - refunds, AverageOrderValue = null });
        }

        return converted;
    }

    private static decimal Cents(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    /// <summary>The organisation's reporting currency; the first store's when the organisation has no row (a store declared in configuration only).</summary>
    private async Task<string> ReportingCurrencyAsync(string tenantId, IReadOnlyList<StoreReport> parts, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var currency = await db.Organisations.AsNoTracking().Where(o => o.Id == tenantId).Select(o => o.ReportingCurrency).FirstOrDefaultAsync(cancellationToken);
        return string.IsNullOrWhiteSpace(currency) ? parts[0].Store.Currency : currency.ToUpperInvariant();
    }
}
