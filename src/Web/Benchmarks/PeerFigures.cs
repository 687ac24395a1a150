using SalesDash.Connectors.Currency;
using SalesDash.Engine.History;
using SalesDash.Engine.Insights.MultiChannel;
using SalesDash.Engine.Stores;

namespace SalesDash.Web.Benchmarks;

/// <summary>
/// Reads an organisation's <see cref="OrgFigures"/> from the history store's hourly rollups over whole UTC days ending
/// at the start of today: the last 28 days, the 28 before, the last 7 and the 7 before. Money is converted to US dollars
/// per store at the rate of the last whole day, so organisations selling in different currencies share cohorts; a store
/// whose currency has no rate is left out of the money figures (its orders too, so AOV stays consistent).
/// </summary>
public sealed class PeerFigures(IHistoryStore history, IChannelInsightStore insight, IStoreDirectory stores, IExchangeRates rates, TimeProvider time)
{
    public const string CommonCurrency = "USD";

    public async Task<OrgFigures?> ReadAsync(string tenantId, CancellationToken cancellationToken)
    {
        var own = await stores.ListAsync(tenantId, cancellationToken);
        if (own.Count == 0)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var end = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var rateDate = DateOnly.FromDateTime(end.UtcDateTime).AddDays(-1);
        var last28 = new HistoryRange(end.AddDays(-28), end);
        var prev28 = new HistoryRange(end.AddDays(-56), end.AddDays(-28));
        var last7 = new HistoryRange(end.AddDays(-7), end);
        var prev7 = new HistoryRange(end.AddDays(-14), end.AddDays(-7));

        decimal revenue = 0m, refunds = 0m, revenuePrev28 = 0m, revenue7 = 0m, revenuePrev7 = 0m;
        long moneyOrders = 0, orders = 0, returning = 0, sessions = 0;
        foreach (var store in own)
        {
            var scope = HistoryScope.Store(tenantId, store.Store.StoreId);
            var totals = await TotalsAsync(scope, last28, cancellationToken);
            orders += totals.Orders;
            returning += totals.ReturningCustomerOrders;
            sessions += totals.Sessions;
            var rate = string.Equals(store.Currency, CommonCurrency, StringComparison.OrdinalIgnoreCase)
                ? 1m
                : (await rates.FindAsync(store.Currency.ToUpperInvariant(), CommonCurrency, rateDate, cancellationToken))?.Rate;
            if (rate is not { } r)
            {
                continue;
            }

            revenue += totals.GrossRevenue * r;
            refunds += totals.Refunds * r;
            moneyOrders += totals.Orders;
            revenuePrev28 += (await TotalsAsync(scope, prev28, cancellationToken)).GrossRevenue * r;
            revenue7 += (await TotalsAsync(scope, last7, cancellationToken)).GrossRevenue * r;
            revenuePrev7 += (await TotalsAsync(scope, prev7, cancellationToken)).GrossRevenue * r;
        }

        var spend = ChannelInsightCalculator.Compute(await insight.ReadAsync(tenantId, last28, cancellationToken), own[0].Currency);
        return new OrgFigures(
            decimal.Round(revenue, 2),
            Ratio(orders, sessions),
            Ratio(revenue, moneyOrders),
            Ratio(returning, orders),
            Ratio(refunds, revenue),
            Ratio(revenue7, revenuePrev7) - 1m,
            Ratio(revenue, revenuePrev28) - 1m,
            spend.BlendedRoas is { } roas ? Math.Round(roas, 4, MidpointRounding.AwayFromZero) : null);
    }

    private static decimal? Ratio(decimal top, decimal bottom) => bottom == 0m ? null : Math.Round(top / bottom, 4, MidpointRounding.AwayFromZero);

    private async Task<HistoryTotals> TotalsAsync(HistoryScope scope, HistoryRange range, CancellationToken cancellationToken) =>
        (await history.SlotsAsync(scope, range, range.Length, cancellationToken)).Aggregate(HistoryTotals.Zero, (sum, slot) => sum.Plus(slot.Totals));
}
