using SalesDash.Engine.History;

namespace SalesDash.Engine.Insights.MultiChannel;

/// <summary>
/// One channel's line in the comparison. A channel can sell (Revenue, Orders), spend (Spend) and bring visits
/// (first- and last-touch revenue) — Shopify only sells, FacebookAds spends and brings visits, "newsletter" only brings visits.
/// </summary>
/// <param name="Share">This channel's part of all sales revenue (0-1).</param>
/// <param name="Roas">Last-touch revenue over spend; null without spend.</param>
/// <param name="FirstTouchRoas">First-touch revenue over spend; null without spend.</param>
public sealed record ChannelInsightRow(
    int Rank,
    string Channel,
    decimal Revenue,
    long Orders,
    decimal? AverageOrderValue,
    decimal Share,
    decimal Spend,
    decimal? Roas,
    decimal? FirstTouchRoas,
    decimal FirstTouchRevenue,
    long FirstTouchOrders,
    decimal LastTouchRevenue,
    long LastTouchOrders);

/// <summary>How many buyers were recognised by hashed e-mail, and how many of them bought on more than one sales channel.</summary>
/// <param name="IdentifiedOrders">Orders of the period that carried an e-mail hash.</param>
/// <param name="Customers">Distinct hashed e-mails among the period's orders.</param>
/// <param name="CrossChannelCustomers">Of those, the ones who have bought on two or more sales channels (up to the period's end).</param>
/// <param name="CrossChannelRevenue">The period's revenue from cross-channel customers.</param>
public sealed record CustomerMatching(long IdentifiedOrders, long Customers, long CrossChannelCustomers, decimal CrossChannelRevenue);

/// <summary>The multi-channel picture of a period: the ranking, the blended figures and the customer matching.</summary>
/// <param name="Mer">Marketing efficiency ratio: all revenue over all ad spend; null without spend.</param>
/// <param name="BlendedRoas">Revenue whose last touch was a channel with spend, over all ad spend; null without spend.</param>
public sealed record ChannelInsightReport(
    string Currency,
    decimal Revenue,
    long Orders,
    decimal? AverageOrderValue,
    decimal Spend,
    decimal? Mer,
    decimal? BlendedRoas,
    decimal AdAttributedRevenue,
    CustomerMatching Customers,
    IReadOnlyList<ChannelInsightRow> Rows)
{
    /// <summary>Analytics traffic per touch (users, sessions, conversions), most users first; empty without an analytics connection.</summary>
    public IReadOnlyList<TrafficInsightRow> Traffic { get; init; } = [];
}

/// <summary>
/// What an analytics property (GA4) reported for one touch over the period: users and sessions summed over its days
/// (a user who came back on two days counts on both, as GA4's daily figures do), and conversions per session.
/// </summary>
/// <param name="Touch">Named as orders' touches are, so the line sits next to the channel's revenue and spend.</param>
/// <param name="ConversionRate">Conversions over sessions (0-1, four decimals); null without sessions.</param>
/// <param name="Sources">The analytics source/medium pairs that make up the touch, e.g. "google / cpc".</param>
public sealed record TrafficInsightRow(
    string Touch,
    long Users,
    long ActiveUsers,
    long Sessions,
    decimal Conversions,
    decimal? ConversionRate,
    IReadOnlyList<string> Sources);

/// <summary>
/// Computes the comparison from insight facts; pure, so tests check it against an independent count. Cancelled orders
/// earn nothing: a campaign that brought an order later cancelled did not return that money. Last touch is the order's
/// own visit; first touch is the customer's first order's visit (an order without an e-mail is its own first touch).
/// </summary>
public static class ChannelInsightCalculator
{
    public static ChannelInsightReport Compute(InsightData data, string fallbackCurrency)
    {
        ArgumentNullException.ThrowIfNull(data);
        var orders = data.Orders.Where(o => !o.Cancelled).ToList();
        var rows = new Dictionary<string, Accumulator>(StringComparer.Ordinal);
        Accumulator Row(string channel)
        {
            if (!rows.TryGetValue(channel, out var row))
            {
                rows[channel] = row = new Accumulator();
            }

            return row;
        }

        foreach (var order in orders)
        {
            var sold = Row(order.Channel.ToString());
            sold.Revenue += order.Revenue;
            sold.Orders++;

            var lastTouch = order.Touch ?? Touches.Direct;
            var last = Row(lastTouch);
            last.LastTouchRevenue += order.Revenue;
            last.LastTouchOrders++;

            var firstTouch = order.EmailHash is { } hash && data.Customers.TryGetValue(hash, out var customer) ? customer.FirstTouch : lastTouch;
            var first = Row(firstTouch);
            first.FirstTouchRevenue += order.Revenue;
            first.FirstTouchOrders++;
        }

        foreach (var spend in data.Spend)
        {
            Row(spend.Channel.ToString()).Spend += spend.Spend;
        }

        var revenue = orders.Sum(o => o.Revenue);
        var totalSpend = data.Spend.Sum(s => s.Spend);
        var adAttributed = rows.Values.Where(r => r.Spend > 0).Sum(r => r.LastTouchRevenue);

        var ranked = rows
            .OrderByDescending(r => r.Value.Revenue)
            .ThenByDescending(r => r.Value.LastTouchRevenue)
            .ThenByDescending(r => r.Value.Spend)
            .ThenBy(r => r.Key, StringComparer.Ordinal)
            .Select((r, i) => new ChannelInsightRow(
                i + 1,
                r.Key,
                r.Value.Revenue,
                r.Value.Orders,
                Ratio(r.Value.Revenue, r.Value.Orders, 2),
                Ratio(r.Value.Revenue, revenue, 4) ?? 0m,
                r.Value.Spend,
                Ratio(r.Value.LastTouchRevenue, r.Value.Spend, 4),
                Ratio(r.Value.FirstTouchRevenue, r.Value.Spend, 4),
                r.Value.FirstTouchRevenue,
                r.Value.FirstTouchOrders,
                r.Value.LastTouchRevenue,
                r.Value.LastTouchOrders))
            .ToList();

        var identified = orders.Where(o => o.EmailHash is not null).ToList();
        var crossChannel = identified
            .Where(o => data.Customers.TryGetValue(o.EmailHash!, out var c) && c.SalesChannels >= 2)
            .ToList();
        var matching = new CustomerMatching(
            identified.Count,
            identified.Select(o => o.EmailHash).Distinct(StringComparer.Ordinal).LongCount(),
            crossChannel.Select(o => o.EmailHash).Distinct(StringComparer.Ordinal).LongCount(),
            crossChannel.Sum(o => o.Revenue));

        var currencies = data.Orders.Select(o => o.Currency).Concat(data.Spend.Select(s => s.Currency))
            .Where(c => !string.IsNullOrWhiteSpace(c)).Distinct(StringComparer.Ordinal).ToList();
        var currency = currencies.Count switch
        {
            0 => fallbackCurrency,
            1 => currencies[0],
            _ => "mixed",
        };

        return new ChannelInsightReport(
            currency,
            revenue,
            orders.Count,
            Ratio(revenue, orders.Count, 2),
            totalSpend,
            Ratio(revenue, totalSpend, 4),
            Ratio(adAttributed, totalSpend, 4),
            adAttributed,
            matching,
            ranked)
        {
            Traffic = TrafficRows(data.Traffic),
        };
    }

    private static List<TrafficInsightRow> TrafficRows(IReadOnlyList<TrafficFact> traffic) =>
        [.. traffic
            .GroupBy(t => t.Touch, StringComparer.Ordinal)
            .Select(g =>
            {
                var sessions = g.Sum(t => t.Sessions);
                var conversions = g.Sum(t => t.Conversions);
                return new TrafficInsightRow(g.Key, g.Sum(t => t.Users), g.Sum(t => t.ActiveUsers), sessions, conversions,
                    Ratio(conversions, sessions, 4),
                    [.. g.Select(t => $"{t.Source} / {t.Medium}").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
            })
            .OrderByDescending(r => r.Users)
            .ThenByDescending(r => r.Sessions)
            .ThenBy(r => r.Touch, StringComparer.Ordinal)];

    /// <summary>The range a named period covers, as the history API resolves it (store-local days).</summary>
    public static HistoryRange Range(PeriodKind period, DateTimeOffset now, TimeZoneInfo zone, DateOnly? from = null, DateOnly? to = null) =>
        HistoryPeriods.Resolve(period, now, zone, from, to).Utc;

    private static decimal? Ratio(decimal numerator, decimal denominator, int decimals) =>
        denominator == 0 ? null : Math.Round(numerator / denominator, decimals, MidpointRounding.AwayFromZero);

    private sealed class Accumulator
    {
        public decimal Revenue { get; set; }

        public long Orders { get; set; }

        public decimal Spend { get; set; }

        public decimal FirstTouchRevenue { get; set; }

        public long FirstTouchOrders { get; set; }

        public decimal LastTouchRevenue { get; set; }

        public long LastTouchOrders { get; set; }
    }
}
