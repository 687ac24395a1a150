using System.Globalization;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.History;
using SalesDash.Engine.Insights.MultiChannel;

namespace SalesDash.Engine.Insights;

/// <summary>A figure an insight rests on: this period's value and the comparison's, in a unit (a currency, "orders", "%").</summary>
public sealed record InsightFigure(string Name, decimal? Value, decimal? Previous, string Unit);

/// <summary>One plain-language finding and the figures behind it; nothing in the text is not in the figures.</summary>
public sealed record Insight(string Kind, string Text, IReadOnlyList<InsightFigure> Figures);

/// <summary>A store's insights for today so far against the same weekday last week, up to the same time.</summary>
public sealed record StoreInsights(
    string TenantId,
    string StoreId,
    string Currency,
    string TimeZone,
    DateTimeOffset AsOf,
    string Period,
    string Comparison,
    IReadOnlyList<Insight> Insights);

/// <summary>
/// Turns a store's history into sentences: how revenue moved against the same weekday last week and whether orders or
/// order value moved it, which sales channel and which product moved most, how an ad channel's visits paid against its
/// spend, refunds and conversion when they stand out. Only what the data holds is said: there is no stock data, so
/// nothing about selling out; orders carry the channel of their visit but not its campaign, so an ad insight names the
/// campaign whose spend rose most (spend is known per campaign), not one whose own return fell.
/// </summary>
/// <param name="channels">Last-touch orders and ad spend; without it (multi-channel insights not hosted) no ad insight is made.</param>
public sealed class InsightService(IHistoryStore history, TimeProvider time, IChannelInsightStore? channels = null)
{
    /// <summary>A change smaller than this is "held": below it, a day's noise would be reported as news.</summary>
    public const decimal Steady = 0.05m;

    /// <summary>Revenue must move at least this much before it is worth a sentence.</summary>
    public const decimal Notable = 0.10m;

    public async Task<StoreInsights> GenerateAsync(StoreProfile store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(store.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
        var now = time.GetUtcNow();
        var localNow = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        var today = localNow.Date;
        var current = new HistoryRange(HistoryPeriods.LocalToUtc(today, zone), now);
        var previous = new HistoryRange(HistoryPeriods.LocalToUtc(today.AddDays(-7), zone), HistoryPeriods.LocalToUtc(localNow.AddDays(-7), zone));
        var scope = HistoryScope.Store(store.Store.TenantId, store.Store.StoreId);
        var now0 = await TotalsAsync(scope, current, cancellationToken);
        var then = await TotalsAsync(scope, previous, cancellationToken);
        var weekday = today.ToString("dddd", CultureInfo.InvariantCulture);
        var insights = new List<Insight>();
        string Money(decimal v) => $"{store.Currency} {v.ToString("N2", CultureInfo.InvariantCulture)}";

        var revenueChange = Change(now0.GrossRevenue, then.GrossRevenue);
        var ordersChange = Change(now0.Orders, then.Orders);
        var aovNow = HistoryQueries.AverageOrderValue(now0);
        var aovThen = HistoryQueries.AverageOrderValue(then);
        var aovChange = aovNow is { } an && aovThen is { } at ? Change(an, at) : null;
        if (revenueChange is { } rc && Math.Abs(rc) >= Notable)
        {
            var direction = rc < 0 ? "fell" : "rose";
            var why = (ordersChange, aovChange) switch
            {
                ({ } oc, { } ac) when Math.Abs(oc) < Steady => $" while orders held ({Signed(oc)}): average order value {(ac < 0 ? "dropped" : "rose")} {Percent(ac)} to {Money(aovNow!.Value)}",
                ({ } oc, { } ac) when Math.Abs(ac) < Steady => $" with {(oc < 0 ? "fewer" : "more")} orders ({now0.Orders} against {then.Orders}) at a steady average order value",
                ({ } oc, { } ac) => $": orders {Signed(oc)}, average order value {Signed(ac)}",
                _ => string.Empty,
            };
            insights.Add(new Insight(
                "revenue-change",
                $"Revenue {direction} {Percent(rc)} against last {weekday} at this time ({Money(now0.GrossRevenue)} against {Money(then.GrossRevenue)}){why}.",
                [
                    new("Revenue", now0.GrossRevenue, then.GrossRevenue, store.Currency),
                    new("Orders", now0.Orders, then.Orders, "orders"),
                    new("Average order value", aovNow, aovThen, store.Currency),
                ]));
        }

        // The product whose revenue moved most, when the move is a real share of the store's change.
        var products = await history.BreakdownAsync(scope, current, BreakdownDimension.Product, cancellationToken);
        var productsThen = (await history.BreakdownAsync(scope, previous, BreakdownDimension.Product, cancellationToken)).ToDictionary(p => p.Key, StringComparer.Ordinal);
        var moves = products.Select(p => (p.Key, p.Label, Now: p.GrossRevenue, Then: productsThen.TryGetValue(p.Key, out var t) ? t.GrossRevenue : 0m))
            .Concat(productsThen.Values.Where(t => products.All(p => p.Key != t.Key)).Select(t => (t.Key, t.Label, Now: 0m, Then: t.GrossRevenue)))
            .OrderByDescending(m => Math.Abs(m.Now - m.Then))
            .ToList();
        var storeMove = now0.GrossRevenue - then.GrossRevenue;
        if (moves.Count > 0 && moves[0] is var top && top.Now != top.Then && storeMove != 0m && Math.Abs(top.Now - top.Then) >= 0.25m * Math.Abs(storeMove))
        {
            insights.Add(new Insight(
                "product-move",
                $"{top.Label} ({top.Key}) made {Money(top.Now)} against {Money(top.Then)} last {weekday}: the largest move of any product ({(top.Now - top.Then < 0 ? "-" : "+")}{Money(Math.Abs(top.Now - top.Then))}).",
                [new("Product revenue", top.Now, top.Then, store.Currency), new("Store revenue", now0.GrossRevenue, then.GrossRevenue, store.Currency)]));
        }

        // The sales channel whose revenue moved most, when it moved notably and is a real share of the store's move.
        var channelsNow = await history.BreakdownAsync(scope, current, BreakdownDimension.Channel, cancellationToken);
        var channelsThen = (await history.BreakdownAsync(scope, previous, BreakdownDimension.Channel, cancellationToken)).ToDictionary(c => c.Key, StringComparer.Ordinal);
        var channelMoves = channelsNow.Select(c => (c.Key, c.Label, Now: c.GrossRevenue, Then: channelsThen.TryGetValue(c.Key, out var t) ? t.GrossRevenue : 0m,
                Orders: c.Orders, OrdersThen: channelsThen.TryGetValue(c.Key, out var o) ? o.Orders : 0L))
            .Concat(channelsThen.Values.Where(t => channelsNow.All(c => c.Key != t.Key)).Select(t => (t.Key, t.Label, Now: 0m, Then: t.GrossRevenue, Orders: 0L, OrdersThen: t.Orders)))
            .Where(m => m.Then > 0m && Change(m.Now, m.Then) is { } cc && Math.Abs(cc) >= Notable)
            .OrderByDescending(m => Math.Abs(m.Now - m.Then))
            .ToList();
        if (channelMoves.Count > 0 && channelMoves[0] is var move && (storeMove == 0m || Math.Abs(move.Now - move.Then) >= 0.25m * Math.Abs(storeMove)))
        {
            var cc = Change(move.Now, move.Then)!.Value;
            insights.Add(new Insight(
                "channel-change",
                $"Revenue from {move.Label} {(cc < 0 ? "fell" : "rose")} {Percent(cc)} against last {weekday} at this time ({Money(move.Now)} against {Money(move.Then)}, {move.Orders} orders against {move.OrdersThen}).",
                [new("Channel revenue", move.Now, move.Then, store.Currency), new("Channel orders", move.Orders, move.OrdersThen, "orders")]));
        }

        if (channels is not null)
        {
            insights.AddRange(await AdInsightsAsync(store, current, previous, weekday, Money, cancellationToken));
        }

        if (now0.GrossRevenue > 0m && now0.Refunds / now0.GrossRevenue >= 0.10m)
        {
            var share = now0.Refunds / now0.GrossRevenue;
            var shareThen = then.GrossRevenue > 0m ? then.Refunds / then.GrossRevenue : (decimal?)null;
            insights.Add(new Insight(
                "refunds",
                $"Refunds are {Percent(share)} of revenue today ({Money(now0.Refunds)} of {Money(now0.GrossRevenue)})"
                    + (shareThen is { } st ? $", against {Percent(st)} last {weekday}." : "."),
                [new("Refunds", now0.Refunds, then.Refunds, store.Currency), new("Refund share", Math.Round(share * 100m, 1), shareThen is { } s2 ? Math.Round(s2 * 100m, 1) : null, "%")]));
        }

        var conversion = HistoryQueries.ConversionRate(now0);
        var conversionThen = HistoryQueries.ConversionRate(then);
        if (conversion is { } cv && conversionThen is { } ct && ct > 0m && Math.Abs((cv - ct) / ct) >= Notable)
        {
            insights.Add(new Insight(
                "conversion",
                $"Conversion is {Percent(cv)} ({now0.Orders} orders from {now0.Sessions} sessions) against {Percent(ct)} last {weekday}.",
                [new("Conversion rate", Math.Round(cv * 100m, 2), Math.Round(ct * 100m, 2), "%"), new("Sessions", now0.Sessions, then.Sessions, "sessions")]));
        }

        return new StoreInsights(store.Store.TenantId, store.Store.StoreId, store.Currency, zone.Id, now, "today so far",
            $"last {weekday} to the same time", insights);
    }

    /// <summary>
    /// For each ad channel with spend in both periods: revenue of orders whose last touch was that channel against its
    /// spend. Said when the revenue moved notably and the spend did not move with it (the costly case: paying the same or
    /// more for less), with both changes and the return on spend of each period.
    /// </summary>
    private async Task<IReadOnlyList<Insight>> AdInsightsAsync(StoreProfile store, HistoryRange current, HistoryRange previous, string weekday,
        Func<decimal, string> money, CancellationToken cancellationToken)
    {
        var now = await channels!.ReadAsync(store.Store.TenantId, current, cancellationToken);
        var then = await channels.ReadAsync(store.Store.TenantId, previous, cancellationToken);
        var insights = new List<Insight>();
        foreach (var channel in new[] { Contracts.Commerce.SalesChannel.FacebookAds, Contracts.Commerce.SalesChannel.GoogleAds })
        {
            var touch = channel.ToString();
            decimal Revenue(InsightData d) => d.Orders.Where(o => o.StoreId == store.Store.StoreId && !o.Cancelled && o.Touch == touch).Sum(o => o.Revenue);
            decimal Spend(InsightData d) => d.Spend.Where(s => s.StoreId == store.Store.StoreId && s.Channel == channel).Sum(s => s.Spend);
            var (revenue, revenueThen, spend, spendThen) = (Revenue(now), Revenue(then), Spend(now), Spend(then));
            if (spend <= 0m || spendThen <= 0m || revenueThen <= 0m || Change(revenue, revenueThen) is not { } rc || Change(spend, spendThen) is not { } sc)
            {
                continue;
            }

            if (rc <= -Notable && sc > -Steady)
            {
                var name = channel == Contracts.Commerce.SalesChannel.FacebookAds ? "Facebook Ads" : "Google Ads";
                var roas = Math.Round(revenue / spend, 2, MidpointRounding.AwayFromZero);
                var roasThen = Math.Round(revenueThen / spendThen, 2, MidpointRounding.AwayFromZero);
                var campaigns = CampaignSpend.Of(now.Spend, then.Spend, store.Store.StoreId, channel);
                var campaign = CampaignSpend.MostRisen(campaigns);
                var check = campaign is null
                    ? $"check the {name} campaigns"
                    : $"check campaign '{campaign.Label}' (spend {money(campaign.Spend)} against {money(campaign.SpendThen)}"
                        + (campaigns.Count < 2 ? ")" : campaign.Spend > campaign.SpendThen
                            ? $", the largest rise of its {campaigns.Count} campaigns)"
                            : $", the largest spend of its {campaigns.Count} campaigns)");
                List<InsightFigure> figures =
                [
                    new($"{name} last-touch revenue", revenue, revenueThen, store.Currency),
                    new($"{name} spend", spend, spendThen, store.Currency),
                    new($"{name} return on spend", roas, roasThen, "x"),
                ];
                if (campaign is not null)
                {
                    figures.Add(new($"Campaign '{campaign.Label}' spend", campaign.Spend, campaign.SpendThen, store.Currency));
                }

                insights.Add(new Insight(
                    "ad-channel",
                    $"Revenue from {name} visits fell {Percent(rc)} against last {weekday} at this time ({money(revenue)} against {money(revenueThen)}) "
                        + $"while spend {(Math.Abs(sc) < Steady ? $"held ({Signed(sc)})" : $"rose {Percent(sc)}")} ({money(spend)} against {money(spendThen)}): "
                        + $"each {store.Currency} 1 of spend brought {store.Currency} {roas.ToString("0.00", CultureInfo.InvariantCulture)} against {roasThen.ToString("0.00", CultureInfo.InvariantCulture)} — {check}.",
                    figures));
            }
        }

        return insights;
    }

    private async Task<HistoryTotals> TotalsAsync(HistoryScope scope, HistoryRange range, CancellationToken cancellationToken)
    {
        if (range.Length <= TimeSpan.Zero)
        {
            return HistoryTotals.Zero;
        }

        var seconds = Math.Max(1, (long)Math.Ceiling(range.Length.TotalSeconds));
        var slots = await history.SlotsAsync(scope, range, TimeSpan.FromSeconds(seconds), cancellationToken);
        return slots.Aggregate(HistoryTotals.Zero, (sum, slot) => sum.Plus(slot.Totals));
    }

    private static decimal? Change(decimal now, decimal then) => then == 0m ? null : Math.Round((now - then) / then, 4, MidpointRounding.AwayFromZero);

    private static string Percent(decimal ratio) => $"{Math.Abs(ratio * 100m).ToString("0", CultureInfo.InvariantCulture)}%";

    private static string Signed(decimal ratio) => $"{(ratio < 0 ? "-" : "+")}{Percent(ratio)}";
}
