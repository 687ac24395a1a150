using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.Insights;
using SalesDash.Engine.Insights.Recommendations;
using SalesDash.Engine.Tests.History;

namespace SalesDash.Engine.Tests.Insights;

/// <summary>
/// Orders keep the utm_campaign of their visit through both history stores (old rows read as untagged), and each ad
/// campaign's spend and attributed revenue per store-local day are worked out by hand here.
/// </summary>
public sealed class CampaignAttributionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Kinds => ["DuckDb", "ClickHouse"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task An_order_keeps_the_campaign_of_the_version_that_named_its_visit_and_orders_from_before_read_as_untagged(string kind)
    {
        await using var sut = await StoreUnderTest.CreateAsync(kind, Ct);
        await sut.Store.WriteFactsAsync(Facts.Batch(Tagged("old", Now.AddHours(-9), "facebook", "Winter Sale")), Ct);

        // A database from before the column: its touches lose their campaign, as they never had one.
        // (DuckDB's staging copies the table's shape on each open.)
        await sut.ExecuteRawAsync("ALTER TABLE history_order_touches DROP COLUMN campaign", Ct);

        await sut.ReopenAsync(Ct);
        await sut.Store.WriteFactsAsync(Facts.Batch(
            Tagged("first", Now.AddHours(-8), "facebook", "  Winter Sale "),
            // A later version with another visit changes neither the touch nor the campaign: both are the first visit's.
            Tagged("first", Now.AddHours(-8), "instagram", "Retarget", version: Now.AddHours(-2)),
            // A first version that says nothing of its visit; the campaign comes with the version that does.
            Facts.Order("late", Now.AddHours(-7), [("MUG", 1, 10m)]),
            Tagged("late", Now.AddHours(-7), "google", "1234567", version: Now.AddHours(-1)),
            Tagged("untagged", Now.AddHours(-6), "facebook", null)), Ct);

        var data = await ((IChannelInsightStore)sut.Store).ReadAsync(Facts.Shop.TenantId, new HistoryRange(Now.AddDays(-1), Now), Ct);

        Assert.Equal(
            [("first", "FacebookAds", "Winter Sale"), ("late", "GoogleAds", "1234567"), ("old", "FacebookAds", null), ("untagged", "FacebookAds", null)],
            data.Orders.OrderBy(o => o.OrderId, StringComparer.Ordinal).Select(o => (o.OrderId, o.Touch, o.Campaign)));
    }

    [Fact]
    public void A_tag_names_a_campaign_by_its_platform_id_stored_id_or_only_name_and_an_ambiguous_or_unknown_tag_names_none()
    {
        var summer = Campaign("facebook:111", "Summer Sale");
        var brand = Campaign("facebook:222", "Brand");
        var brandToo = Campaign("facebook:333", "brand");
        IReadOnlyList<CampaignAttribution.Campaign> all = [summer, brand, brandToo];

        Assert.Same(summer, CampaignAttribution.Match("111", all));
        Assert.Same(summer, CampaignAttribution.Match(" facebook:111 ", all));
        Assert.Same(summer, CampaignAttribution.Match("SUMMER sale", all));
        Assert.Null(CampaignAttribution.Match("Brand", all));
        Assert.Null(CampaignAttribution.Match("spring", all));
        Assert.Null(CampaignAttribution.Match(" ", all));
        Assert.Null(CampaignAttribution.Match(null, all));
    }

    [Fact]
    public void Each_campaign_gets_its_tagged_orders_and_a_spend_share_of_the_untagged_ones_per_local_day()
    {
        // New York, 5 hours behind UTC in November. D1..D3 are 21, 22 and 23 November there.
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        DateOnly d1 = new(2026, 11, 21), d2 = d1.AddDays(1), d3 = d1.AddDays(2);
        DateTimeOffset At(DateOnly day, int hour, int minute = 0) => new DateTimeOffset(day.ToDateTime(new TimeOnly(hour, minute)), TimeSpan.FromHours(-5)).ToUniversalTime();

        SpendFact[] spend =
        [
            Spent(SalesChannel.FacebookAds, "facebook:111", "Summer Sale", At(d1, 23, 59), 100m),
            Spent(SalesChannel.FacebookAds, "facebook:111", "Summer Sale (draft)", At(d2, 10), 60m),
            Spent(SalesChannel.FacebookAds, "facebook:111", "Summer Sale", At(d2, 23, 59), 40m),
            Spent(SalesChannel.FacebookAds, "facebook:111", "Summer Sale", At(d3, 23, 59), 100m),
            Spent(SalesChannel.FacebookAds, "facebook:222", "Brand", At(d1, 12), 100m),
            Spent(SalesChannel.FacebookAds, "facebook:333", "brand", At(d1, 12), 50m),
            Spent(SalesChannel.GoogleAds, "googleads:9", "Search", At(d1, 12), 40m),
            // 23:00 the evening before D1 is 04:00 UTC on the 21st, but not D1 in New York.
            Spent(SalesChannel.FacebookAds, "facebook:111", "Summer Sale", At(d1, 0).AddHours(-1), 500m),
            // Spend written before campaigns were kept, and another store's.
            Spent(SalesChannel.FacebookAds, null, null, At(d1, 12), 70m),
            Spent(SalesChannel.FacebookAds, "facebook:111", "Summer Sale", At(d1, 12), 80m) with { StoreId = "other" },
        ];
        OrderTouch[] orders =
        [
            Touch("o1", At(d1, 10), 30m, "FacebookAds", "111"),
            Touch("o2", At(d1, 11), 20m, "FacebookAds", "summer sale"),
            Touch("o3", At(d1, 12), 50m, "FacebookAds", "Brand"),
            Touch("o4", At(d1, 13), 100m, "FacebookAds", null),
            Touch("o5", At(d1, 14), 40m, "FacebookAds", "facebook:222"),
            Touch("o6", At(d1, 15), 30m, "GoogleAds", "111"),
            Touch("o7", At(d1, 16), 70m, "direct", "Summer Sale"),
            Touch("o8", At(d1, 17), 90m, "FacebookAds", "111") with { Cancelled = true },
            Touch("o9", At(d1, 23, 30), 10m, "FacebookAds", "111"),
            Touch("o10", At(d3, 9), 60m, "FacebookAds", "111"),
            Touch("o11", At(d2, 9), 25m, "FacebookAds", "unknown"),
            Touch("o12", At(d1, 9), 999m, "FacebookAds", "111") with { StoreId = "other" },
        ];

        var days = CampaignAttribution.Days(new InsightData(orders, new Dictionary<string, CustomerHistory>(), spend), Facts.Shop.StoreId, zone, d1, d3);

        // D1: Facebook spent 100 + 100 + 50 = 250; its untagged orders are o3 (the name two campaigns share) and o4: 150.
        // Summer Sale took o1, o2 and o9 (23:30 is still D1 there): 60, plus 150 × 100/250. Brand: o5 and 150 × 100/250;
        // "brand": 150 × 50/250. Google's o6 names no Google campaign, so it is Search's untagged revenue: 30 × 40/40.
        // D2: o11 names no campaign: Summer Sale, the only one spending, takes all 25. D3: o10.
        Assert.Equal(
            [
                ("FacebookAds", "facebook:111", "Summer Sale", d1, 100m, 120m, 60m),
                ("FacebookAds", "facebook:111", "Summer Sale", d2, 100m, 25m, 25m),
                ("FacebookAds", "facebook:111", "Summer Sale", d3, 100m, 60m, 0m),
                ("FacebookAds", "facebook:222", "Brand", d1, 100m, 100m, 60m),
                ("FacebookAds", "facebook:333", "brand", d1, 50m, 30m, 30m),
                ("GoogleAds", "googleads:9", "Search", d1, 40m, 30m, 30m),
            ],
            days.OrderBy(d => d.CampaignId, StringComparer.Ordinal).ThenBy(d => d.Date)
                .Select(d => (d.Channel, d.CampaignId, d.Label, d.Date, d.Spend, d.Revenue, d.UntaggedShare)));

        // Summer Sale paid on D1 once its share of the untagged orders is counted; no campaign spent on all three days but it.
        Assert.Empty(AdSpendRule.Evaluate(days, d3));
    }

    private static CampaignAttribution.Campaign Campaign(string id, string name) =>
        new(SalesChannel.FacebookAds, id, name, new HashSet<string>([name], StringComparer.OrdinalIgnoreCase));

    private static SpendFact Spent(SalesChannel channel, string? campaign, string? name, DateTimeOffset at, decimal spend) =>
        new(Facts.Shop.TenantId, Facts.Shop.StoreId, channel, Guid.NewGuid().ToString("N"), at, spend, "USD", campaign, name);

    private static OrderTouch Touch(string id, DateTimeOffset at, decimal revenue, string touch, string? campaign) =>
        new(Facts.Shop.TenantId, Facts.Shop.StoreId, SalesChannel.Shopify, id, 1, at, revenue, "USD", false, touch, null) { Campaign = campaign };

    private static OrderPlaced Tagged(string id, DateTimeOffset placed, string source, string? campaign, DateTimeOffset? version = null) =>
        Facts.Order(id, placed, [("MUG", 1, 10m)], version) with { UtmSource = source, UtmMedium = "cpc", UtmCampaign = campaign, LandingSite = "/" };
}
