using SalesDash.Engine.Insights.Recommendations;

namespace SalesDash.Engine.Tests.Insights.Recommendations;

/// <summary>Each rule on figures the test makes up, with what it should say worked out here by hand.</summary>
public sealed class RecommendationRulesTests
{
    private static readonly DateOnly Today = new(2026, 11, 24);

    private static decimal? Figure(Recommendation r, string name) => r.Figures.Single(f => f.Name == name).Value;

    [Fact]
    public void A_campaign_under_one_ROAS_on_each_of_three_days_is_to_be_paused_and_loses_its_spend_minus_its_revenue()
    {
        AdDay[] days =
        [
            new("GoogleAds", "c1", "Winter sale", Today.AddDays(-2), 100m, 60m),
            new("GoogleAds", "c1", "Winter sale", Today.AddDays(-1), 120m, 90m),
            new("GoogleAds", "c1", "Winter sale", Today, 80m, 40m),
            // Two bad days and one good one: kept.
            new("GoogleAds", "c2", "Brand", Today.AddDays(-2), 50m, 20m),
            new("GoogleAds", "c2", "Brand", Today.AddDays(-1), 50m, 80m),
            new("GoogleAds", "c2", "Brand", Today, 50m, 20m),
            // Only two days of spend: not three in a row.
            new("FacebookAds", "c3", "Retarget", Today.AddDays(-1), 30m, 10m),
            new("FacebookAds", "c3", "Retarget", Today, 30m, 10m),
        ];

        var advice = Assert.Single(AdSpendRule.Evaluate(days, Today));

        Assert.Equal((RecommendationKind.CutAdSpend, "GoogleAds:c1"), (advice.Kind, advice.Key));
        Assert.Equal(300m - 190m, advice.RevenueAtStake);
        Assert.Equal((300m, 190m, Math.Round(190m / 300m, 4)), (Figure(advice, "Spend"), Figure(advice, "Revenue"), Figure(advice, "ROAS")));
        Assert.Contains("Pause", advice.Action, StringComparison.Ordinal);
        Assert.Contains("campaign=c1", advice.DrillDown, StringComparison.Ordinal);
        // Each of the three days, oldest first, after the totals; then how much of the revenue was a share of untagged orders.
        Assert.Equal(
            ["Spend", "Revenue", "ROAS", "Spend 2026-11-22", "Revenue 2026-11-22", "ROAS 2026-11-22", "Spend 2026-11-23", "Revenue 2026-11-23", "ROAS 2026-11-23",
                "Spend 2026-11-24", "Revenue 2026-11-24", "ROAS 2026-11-24", "Untagged revenue share"],
            advice.Figures.Select(f => f.Name));
        Assert.Equal((120m, 90m, 0.75m), (Figure(advice, "Spend 2026-11-23"), Figure(advice, "Revenue 2026-11-23"), Figure(advice, "ROAS 2026-11-23")));
        Assert.Equal((80m, 40m, 0.5m), (Figure(advice, "Spend 2026-11-24"), Figure(advice, "Revenue 2026-11-24"), Figure(advice, "ROAS 2026-11-24")));
    }

    [Fact]
    public void A_day_whose_revenue_reaches_its_spend_only_through_the_untagged_share_keeps_the_campaign_and_the_share_is_shown()
    {
        AdDay[] days =
        [
            new("FacebookAds", "facebook:1", "Sale", Today.AddDays(-2), 100m, 70m) { UntaggedShare = 20m },
            new("FacebookAds", "facebook:1", "Sale", Today.AddDays(-1), 100m, 100m) { UntaggedShare = 40m },
            new("FacebookAds", "facebook:1", "Sale", Today, 100m, 30m),
            new("FacebookAds", "facebook:2", "Brand", Today.AddDays(-2), 10m, 9m) { UntaggedShare = 2m },
            new("FacebookAds", "facebook:2", "Brand", Today.AddDays(-1), 10m, 9.99m) { UntaggedShare = 4m },
            new("FacebookAds", "facebook:2", "Brand", Today, 10m, 1m),
        ];

        var advice = Assert.Single(AdSpendRule.Evaluate(days, Today));

        Assert.Equal(("FacebookAds:facebook:2", 30m - 19.99m, 6m), (advice.Key, advice.RevenueAtStake, Figure(advice, "Untagged revenue share")));
    }

    [Fact]
    public void A_product_returned_far_more_than_the_rest_of_its_category_is_flagged_with_the_excess_returns_worth()
    {
        ProductReturns[] products =
        [
            new("shoe-1", "Runner", "shoes", 5_000m, 100, 30),
            new("shoe-2", "Trail", "shoes", 4_000m, 80, 4),
            new("shoe-3", "Court", "shoes", 2_000m, 120, 8),
            new("hat-1", "Beanie", "hats", 900m, 60, 3),
            // High rate but too few units to mean anything.
            new("hat-2", "Cap", "hats", 100m, 10, 5),
        ];

        var advice = Assert.Single(ReturnRateRule.Evaluate(products));

        var rate = 30m / 100m;
        var rest = 12m / 200m;
        Assert.Equal("shoe-1", advice.Key);
        Assert.Equal(Math.Round((rate - rest) * 5_000m, 2), advice.RevenueAtStake);
        Assert.Equal((0.3m, 0.06m), (Figure(advice, "Return rate"), Figure(advice, "Category return rate")));
    }

    [Fact]
    public void A_fall_in_conversion_counts_only_when_it_is_a_fifth_or_more_and_beyond_chance()
    {
        SegmentConversion[] segments =
        [
            new("channel", "Shopify", "Shopify", 2_000, 60, 2_000, 30, 50m),
            // 20% fall on small numbers: chance explains it.
            new("hour", "14", "14:00", 100, 5, 100, 4, 50m),
            // Rose.
            new("channel", "Amazon", "Amazon", 1_000, 20, 1_000, 25, 40m),
        ];

        var advice = Assert.Single(ConversionDropRule.Evaluate(segments));

        Assert.Equal("channel:Shopify", advice.Key);
        Assert.Equal((0.03m - 0.015m) * 2_000 * 50m, advice.RevenueAtStake);
        var p = 90.0 / 4_000;
        var z = (0.03 - 0.015) / Math.Sqrt(p * (1 - p) * (2.0 / 2_000));
        Assert.Equal(z, ConversionDropRule.Z(segments[0]), 6);
        Assert.True(ConversionDropRule.Z(segments[1]) < ConversionDropRule.MinZ);
    }

    [Fact]
    public void Products_bought_together_more_than_chance_get_a_bundle_with_support_lift_and_what_is_at_stake()
    {
        var lines = new List<BasketLine>();
        var n = 0;
        void Order(params string[] skus)
        {
            var id = $"o{n++}";
            lines.AddRange(skus.Select(s => new BasketLine(id, s, s.ToUpperInvariant(), s == "tent" ? 200m : 20m)));
        }

        for (var i = 0; i < 8; i++) Order("tent", "pegs");
        for (var i = 0; i < 2; i++) Order("tent");
        for (var i = 0; i < 4; i++) Order("pegs");
        for (var i = 0; i < 26; i++) Order("socks");
        for (var i = 0; i < 5; i++) Order("socks", "pegs");

        var advice = Assert.Single(BundleRule.Evaluate(lines));

        // 45 orders; tent in 10, pegs in 17, both in 8. Socks and pegs: 5 together of 31 and 17 → lift 0.43, no bundle.
        decimal total = 45, tent = 10, pegs = 17, both = 8;
        var lift = both * total / (tent * pegs);
        Assert.Equal("pegs+tent", advice.Key);
        Assert.Equal((both, Math.Round(both / total, 4), Math.Round(lift, 4)), (Figure(advice, "Orders with both"), Figure(advice, "Support"), Figure(advice, "Lift")));
        var stake = ((tent - both) * (both / tent) * 20m) + ((pegs - both) * (both / pegs) * 200m);
        Assert.Equal(Math.Round(stake, 2), advice.RevenueAtStake);
    }

    [Fact]
    public void Stock_outs_are_said_only_with_an_inventory_source_and_only_for_products_that_run_out_before_a_restock()
    {
        ProductSales[] sales = [new("a", "Mug", 140, 1_400m), new("b", "Plate", 28, 560m), new("c", "Bowl", 0, 0m)];
        Assert.Empty(StockOutRule.Evaluate(null, sales, days: 28));

        var advice = Assert.Single(StockOutRule.Evaluate([new("a", 10), new("b", 50), new("c", 0)], sales, days: 28));

        // Mug: 5 a day, 10 on hand = 2 days of cover, 5 short of the 7-day restock at 10 each.
        Assert.Equal(("a", 2m, (7m - 2m) * 5m * 10m), (advice.Key, Figure(advice, "Days of cover"), advice.RevenueAtStake));
    }

    [Fact]
    public void An_average_order_below_peers_gets_the_free_shipping_threshold_that_leaves_most_on_the_table()
    {
        var random = new Random(7);
        var totals = Enumerable.Range(0, 200).Select(_ => Math.Round(15m + ((decimal)random.NextDouble() * 70m), 2)).ToList();
        Assert.Empty(FreeShippingRule.Evaluate(totals, peerMedianAov: totals.Average() - 1m));

        var advice = Assert.Single(FreeShippingRule.Evaluate(totals, peerMedianAov: 90m));

        // Brute force over every whole-unit threshold from the median up: the rule's candidates are a subset, so its pick
        // is the best of those, and no candidate may beat it.
        var sorted = totals.Order().ToList();
        decimal Uplift(decimal t) => sorted.Where(o => o >= t * 0.7m && o < t).Sum(o => t - o);
        decimal Quantile(int p)
        {
            var rank = (sorted.Count - 1) * p / 100m;
            var low = (int)rank;
            return Math.Ceiling(sorted[low] + ((rank - low) * (sorted[Math.Min(low + 1, sorted.Count - 1)] - sorted[low])));
        }

        var candidates = Enumerable.Range(0, 9).Select(i => Quantile(50 + (5 * i))).ToList();
        var best = candidates.OrderByDescending(Uplift).ThenBy(t => t).First();
        Assert.Equal(best, Figure(advice, "Threshold"));
        Assert.Equal(Math.Round(Uplift(best), 2), advice.RevenueAtStake);
        Assert.Equal(sorted.Count(o => o >= best * 0.7m && o < best), Figure(advice, "Orders within reach"));
    }

    [Fact]
    public void Recommendations_are_ranked_by_revenue_at_stake()
    {
        Recommendation R(string key, decimal stake) => new(RecommendationKind.Bundle, key, key, "do", stake, [], "x");

        var ranked = RecommendationRanking.Rank([R("small", 10m), R("big", 500m), R("mid", 90m)]);

        Assert.Equal(["big", "mid", "small"], ranked.Select(r => r.Key));
    }
}
