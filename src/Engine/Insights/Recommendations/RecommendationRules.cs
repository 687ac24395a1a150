using static SalesDash.Engine.Insights.Recommendations.RecommendationRanking;

namespace SalesDash.Engine.Insights.Recommendations;

/// <summary>
/// One ad campaign's spend and the revenue put to it on one store-local day, in the store's currency.
/// <see cref="Revenue"/> is the attributed revenue: its own tagged orders' plus <see cref="UntaggedShare"/>.
/// </summary>
public sealed record AdDay(string Channel, string CampaignId, string Label, DateOnly Date, decimal Spend, decimal Revenue)
{
    /// <summary>The part of <see cref="Revenue"/> that is the campaign's share (by spend) of the channel's orders no campaign tag names.</summary>
    public decimal UntaggedShare { get; init; }
}

/// <summary>A campaign that returned less than it cost on each of the last three days: pause it or cut its budget.</summary>
public static class AdSpendRule
{
    /// <summary>Three days in a row, so one bad day (a late conversion, a weekend) does not cut a campaign that pays.</summary>
    public const int Days = 3;

    /// <param name="lastDay">The last whole day read; the rule looks at it and the two before.</param>
    public static IReadOnlyList<Recommendation> Evaluate(IEnumerable<AdDay> days, DateOnly lastDay)
    {
        ArgumentNullException.ThrowIfNull(days);
        var window = Enumerable.Range(0, Days).Select(i => lastDay.AddDays(-i)).ToHashSet();
        var result = new List<Recommendation>();
        foreach (var campaign in days.Where(d => window.Contains(d.Date)).GroupBy(d => (d.Channel, d.CampaignId)))
        {
            var perDay = campaign.GroupBy(d => d.Date).OrderBy(g => g.Key)
                .Select(g => (Date: g.Key, Spend: g.Sum(d => d.Spend), Revenue: g.Sum(d => d.Revenue), Untagged: g.Sum(d => d.UntaggedShare))).ToList();
            if (perDay.Count < Days || perDay.Any(d => d.Spend <= 0m || d.Revenue >= d.Spend))
            {
                continue;
            }

            var spend = perDay.Sum(d => d.Spend);
            var revenue = perDay.Sum(d => d.Revenue);
            var label = campaign.OrderByDescending(d => d.Date).First().Label;
            List<RecommendationFigure> figures = [new("Spend", Money(spend)), new("Revenue", Money(revenue)), new("ROAS", Ratio(revenue / spend))];
            foreach (var day in perDay)
            {
                var date = day.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                figures.Add(new($"Spend {date}", Money(day.Spend)));
                figures.Add(new($"Revenue {date}", Money(day.Revenue)));
                figures.Add(new($"ROAS {date}", Ratio(day.Revenue / day.Spend)));
            }

            figures.Add(new("Untagged revenue share", Money(perDay.Sum(d => d.Untagged))));
            result.Add(new Recommendation(RecommendationKind.CutAdSpend, $"{campaign.Key.Channel}:{campaign.Key.CampaignId}",
                $"{label} ({campaign.Key.Channel}) returned less than it cost for {Days} days",
                "Pause the campaign or cut its budget.", Money(spend - revenue), figures,
                $"channels?channel={Uri.EscapeDataString(campaign.Key.Channel)}&campaign={Uri.EscapeDataString(campaign.Key.CampaignId)}"));
        }

        return result;
    }
}

/// <summary>A product's sales and returns over a period; <see cref="Category"/> is null when the platform gave none.</summary>
public sealed record ProductReturns(string Sku, string Label, string? Category, decimal Revenue, long Units, long RefundedUnits);

/// <summary>A product returned far more often than the rest of its category (or of the store, without categories).</summary>
public static class ReturnRateRule
{
    /// <summary>Fewer units than this and a few returns make a rate that means nothing.</summary>
    public const long MinUnits = 20;

    /// <summary>"Far above": at least twice the category's rate and five points over it.</summary>
    public const decimal Factor = 2m;

    public const decimal MinGap = 0.05m;

    public static IReadOnlyList<Recommendation> Evaluate(IReadOnlyList<ProductReturns> products)
    {
        ArgumentNullException.ThrowIfNull(products);
        var result = new List<Recommendation>();
        foreach (var product in products.Where(p => p.Units >= MinUnits))
        {
            // The rest of the category, without the product itself, so one bad product does not raise its own yardstick.
            var rest = products.Where(p => p.Sku != product.Sku && p.Category == product.Category).ToList();
            var restUnits = rest.Sum(p => p.Units);
            if (restUnits == 0)
            {
                continue;
            }

            var rate = (decimal)product.RefundedUnits / product.Units;
            var categoryRate = (decimal)rest.Sum(p => p.RefundedUnits) / restUnits;
            if (rate < categoryRate * Factor || rate - categoryRate < MinGap)
            {
                continue;
            }

            // Without a catalogue's categories the yardstick is the rest of the store, and the advice says so.
            var category = product.Category ?? "all products (no categories known)";
            result.Add(new Recommendation(RecommendationKind.ProductReturns, product.Sku,
                $"{product.Label} is returned {Ratio(rate) * 100:0.#}% of the time; {category}: {Ratio(categoryRate) * 100:0.#}%",
                "Check the product's description, sizing and quality against its returns' reasons.", Money((rate - categoryRate) * product.Revenue),
                [new("Return rate", Ratio(rate)), new("Category return rate", Ratio(categoryRate)), new("Units", product.Units), new("Returned units", product.RefundedUnits),
                    new("Revenue", Money(product.Revenue))],
                $"history?by=product&metric=returnRate&key={Uri.EscapeDataString(product.Sku)}"));
        }

        return result;
    }
}

/// <summary>Sessions and orders of one channel or hour of day in the period and in the one before.</summary>
/// <param name="Dimension">"channel" or "hour".</param>
public sealed record SegmentConversion(string Dimension, string Key, string Label, long SessionsBefore, long OrdersBefore, long SessionsNow, long OrdersNow, decimal AverageOrderValue);

/// <summary>A channel or hour whose conversion fell by a fifth or more, beyond what chance explains.</summary>
public static class ConversionDropRule
{
    /// <summary>Fewer sessions than this on either side and a rate's swing is noise.</summary>
    public const long MinSessions = 100;

    public const decimal MinFall = 0.20m;

    /// <summary>Two-sided 95% for a two-proportion z-test.</summary>
    public const double MinZ = 1.96;

    public static IReadOnlyList<Recommendation> Evaluate(IEnumerable<SegmentConversion> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var result = new List<Recommendation>();
        foreach (var s in segments.Where(s => s.SessionsBefore >= MinSessions && s.SessionsNow >= MinSessions))
        {
            var before = (decimal)s.OrdersBefore / s.SessionsBefore;
            var now = (decimal)s.OrdersNow / s.SessionsNow;
            if (before == 0m || (before - now) / before < MinFall || Z(s) < MinZ)
            {
                continue;
            }

            result.Add(new Recommendation(RecommendationKind.ConversionFell, $"{s.Dimension}:{s.Key}",
                $"Conversion on {s.Label} fell from {Ratio(before) * 100:0.##}% to {Ratio(now) * 100:0.##}%",
                s.Dimension == "hour"
                    ? "Check what changed at that hour: checkout errors, slow pages, stock or prices shown then."
                    : "Check that channel's checkout, listings and prices for what changed.",
                Money((before - now) * s.SessionsNow * s.AverageOrderValue),
                [new("Conversion before", Ratio(before)), new("Conversion now", Ratio(now)), new("Sessions now", s.SessionsNow), new("Average order value", Money(s.AverageOrderValue))],
                $"history?by={s.Dimension}&key={Uri.EscapeDataString(s.Key)}"));
        }

        return result;
    }

    /// <summary>The pooled two-proportion z statistic of before over now.</summary>
    public static double Z(SegmentConversion s)
    {
        ArgumentNullException.ThrowIfNull(s);
        double n1 = s.SessionsBefore, n2 = s.SessionsNow;
        var p1 = s.OrdersBefore / n1;
        var p2 = s.OrdersNow / n2;
        var pooled = (s.OrdersBefore + s.OrdersNow) / (n1 + n2);
        var error = Math.Sqrt(pooled * (1 - pooled) * ((1 / n1) + (1 / n2)));
        return error == 0 ? 0 : (p1 - p2) / error;
    }
}

/// <summary>One line of one order, for baskets.</summary>
public sealed record BasketLine(string OrderId, string Sku, string Label, decimal LineRevenue);

/// <summary>Two products bought together far more often than chance: suggest a bundle.</summary>
public static class BundleRule
{
    /// <summary>Fewer orders together than this is not a pattern.</summary>
    public const int MinTogether = 5;

    /// <summary>Lift: how much more often the pair is bought together than if the two were bought independently.</summary>
    public const decimal MinLift = 1.5m;

    public const int MaxPairs = 5;

    /// <summary>
    /// Revenue at stake: buyers of one product without the other, times how often buyers of the one also take the other
    /// (confidence), times the other's average line revenue — what the pair would add if a bundle converted them as often
    /// as the pair is already bought.
    /// </summary>
    public static IReadOnlyList<Recommendation> Evaluate(IEnumerable<BasketLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var all = lines.ToList();
        var baskets = all.GroupBy(l => l.OrderId, StringComparer.Ordinal).Select(g => g.Select(l => l.Sku).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray()).ToList();
        var total = baskets.Count;
        var holding = baskets.SelectMany(b => b).GroupBy(s => s, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var averageLine = all.GroupBy(l => l.Sku, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(l => l.LineRevenue) / holding[g.Key], StringComparer.Ordinal);
        var labels = all.GroupBy(l => l.Sku, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Label, StringComparer.Ordinal);
        var pairs = baskets.SelectMany(b => b.SelectMany((a, i) => b.Skip(i + 1).Select(c => (A: a, B: c))))
            .GroupBy(p => p).Select(g => (g.Key.A, g.Key.B, Together: g.Count()));
        var result = new List<Recommendation>();
        foreach (var (a, b, together) in pairs.Where(p => p.Together >= MinTogether))
        {
            var lift = (decimal)together * total / ((decimal)holding[a] * holding[b]);
            if (lift < MinLift)
            {
                continue;
            }

            var aToB = (decimal)together / holding[a];
            var bToA = (decimal)together / holding[b];
            var stake = ((holding[a] - together) * aToB * averageLine[b]) + ((holding[b] - together) * bToA * averageLine[a]);
            result.Add(new Recommendation(RecommendationKind.Bundle, $"{a}+{b}",
                $"{labels[a]} and {labels[b]} are bought together {Ratio(lift):0.##}× as often as chance",
                $"Offer {labels[a]} and {labels[b]} as a bundle, or suggest one beside the other.", Money(stake),
                [new("Orders with both", together), new("Support", Ratio((decimal)together / total)), new("Lift", Ratio(lift)),
                    new($"Confidence {a} → {b}", Ratio(aToB)), new($"Confidence {b} → {a}", Ratio(bToA))],
                $"history?by=product&key={Uri.EscapeDataString(a)}"));
        }

        return [.. result.OrderByDescending(r => r.RevenueAtStake).ThenBy(r => r.Key, StringComparer.Ordinal).Take(MaxPairs)];
    }
}

/// <summary>A product's stock on hand, when an inventory source reports it.</summary>
public sealed record StockLevel(string Sku, long OnHand);

/// <summary>A product's sales over a period of <c>days</c> days.</summary>
public sealed record ProductSales(string Sku, string Label, long Units, decimal Revenue);

/// <summary>A product that will run out before it can be restocked, at the pace it sells.</summary>
public static class StockOutRule
{
    /// <summary>How long a restock takes when the store has not said (a week is a common supplier lead time).</summary>
    public const int DefaultLeadTimeDays = 7;

    /// <param name="stock">Null when no inventory source is connected: the rule then has nothing to say, rather than guessing.</param>
    /// <param name="days">The length of the period <paramref name="sales"/> covers.</param>
    public static IReadOnlyList<Recommendation> Evaluate(IReadOnlyList<StockLevel>? stock, IReadOnlyList<ProductSales> sales, int days, int leadTimeDays = DefaultLeadTimeDays)
    {
        ArgumentNullException.ThrowIfNull(sales);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(days);
        if (stock is null)
        {
            return [];
        }

        var result = new List<Recommendation>();
        foreach (var (level, sold) in stock.Join(sales, s => s.Sku, s => s.Sku, (s, p) => (s, p), StringComparer.Ordinal))
        {
            if (sold.Units <= 0)
            {
                continue;
            }

            var perDay = (decimal)sold.Units / days;
            var cover = Math.Max(0m, level.OnHand) / perDay;
            if (cover >= leadTimeDays)
            {
                continue;
            }

            var price = sold.Revenue / sold.Units;
            result.Add(new Recommendation(RecommendationKind.StockOut, sold.Sku,
                level.OnHand <= 0 ? $"{sold.Label} is out of stock" : $"{sold.Label} runs out in {cover:0.#} days",
                $"Reorder {sold.Label} now: {Math.Ceiling(perDay * leadTimeDays)} units cover the {leadTimeDays}-day restock.",
                Money((leadTimeDays - cover) * perDay * price),
                [new("On hand", level.OnHand), new("Units a day", Ratio(perDay)), new("Days of cover", Ratio(cover)), new("Price", Money(price))],
                $"history?by=product&key={Uri.EscapeDataString(sold.Sku)}"));
        }

        return result;
    }
}

/// <summary>An average order below peers', with the free-shipping threshold the store's own orders make worth offering.</summary>
public static class FreeShippingRule
{
    /// <summary>Orders within this share below a threshold are the ones a free-shipping offer nudges up to it.</summary>
    public const decimal Reach = 0.30m;

    /// <param name="orderTotals">The period's order totals, in the store's currency.</param>
    /// <param name="peerMedianAov">The median AOV of the store's peers in the same currency; null when no cohort is published.</param>
    public static IReadOnlyList<Recommendation> Evaluate(IReadOnlyList<decimal> orderTotals, decimal? peerMedianAov)
    {
        ArgumentNullException.ThrowIfNull(orderTotals);
        if (orderTotals.Count == 0 || peerMedianAov is not { } peers)
        {
            return [];
        }

        var aov = orderTotals.Average();
        if (aov >= peers)
        {
            return [];
        }

        var (threshold, within, uplift) = Threshold(orderTotals);
        if (uplift <= 0m)
        {
            return [];
        }

        return
        [
            new Recommendation(RecommendationKind.FreeShipping, "free-shipping",
                $"Your average order ({Money(aov)}) is below your peers' median ({Money(peers)})",
                $"Offer free shipping on orders of {threshold} or more.", Money(uplift),
                [new("Average order value", Money(aov)), new("Peers' median AOV", Money(peers)), new("Threshold", threshold), new("Orders within reach", within)],
                "history?by=product"),
        ];
    }

    /// <summary>
    /// The threshold among the whole-unit ceilings of the orders' 50th to 90th percentiles (in steps of 5) that leaves the
    /// most on the table: the sum over orders within <see cref="Reach"/> below it of what each would add to reach it. Ties
    /// go to the lower threshold.
    /// </summary>
    public static (decimal Threshold, int Within, decimal Uplift) Threshold(IReadOnlyList<decimal> orderTotals)
    {
        ArgumentNullException.ThrowIfNull(orderTotals);
        var sorted = orderTotals.Order().ToList();
        var best = (Threshold: 0m, Within: 0, Uplift: 0m);
        for (var p = 50; p <= 90; p += 5)
        {
            var rank = (sorted.Count - 1) * p / 100m;
            var low = (int)Math.Floor(rank);
            var high = Math.Min(low + 1, sorted.Count - 1);
            var t = Math.Ceiling(sorted[low] + ((rank - low) * (sorted[high] - sorted[low])));
            var near = sorted.Where(o => o >= t * (1 - Reach) && o < t).ToList();
            var uplift = near.Sum(o => t - o);
            if (uplift > best.Uplift)
            {
                best = (t, near.Count, uplift);
            }
        }

        return best;
    }
}
