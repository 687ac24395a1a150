using System.Security.Cryptography;
using System.Text;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.Insights.MultiChannel;
using SalesDash.Engine.Tests.History;

namespace SalesDash.Engine.Tests.Insights.MultiChannel;

/// <summary>
/// Insight facts go through the history store exactly as the history writer hands them over (batches of accepted events);
/// each test runs on DuckDB and on the real ClickHouse server, and must give the same figures.
/// </summary>
public sealed class ChannelInsightTests
{
    private static readonly DateTimeOffset RangeStart = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly HistoryRange Range = new(RangeStart, RangeStart.AddDays(30));
    private static readonly StoreRef ShopifyStore = new("acme", "shopify-eu");
    private static readonly StoreRef WooStore = new("acme", "woo-eu");

    public static TheoryData<string> Kinds => ["DuckDb", "ClickHouse"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Worked_example_gives_roas_mer_attribution_and_one_cross_channel_customer(string kind)
    {
        await using var under = await StoreUnderTest.CreateAsync(kind, Ct);
        var store = (IChannelInsightStore)under.Store;
        // Ann first came from a Facebook ad (before the period), then bought on WooCommerce from the newsletter.
        // Bob clicked a Google ad and bought on Shopify. Cid bought on Shopify with no tags, then cancelled.
        await RecordAsync(under.Store, 
            Order(ShopifyStore, SalesChannel.Shopify, "s-1", RangeStart.AddDays(-40), 80m, "ann@example.com", "facebook", "paid"),
            Order(WooStore, SalesChannel.WooCommerce, "w-1", RangeStart.AddDays(3), 100m, " Ann@Example.com ", "newsletter", "email"),
            Order(ShopifyStore, SalesChannel.Shopify, "s-2", RangeStart.AddDays(4), 50m, "bob@example.com", "google", "cpc"),
            Order(ShopifyStore, SalesChannel.Shopify, "s-3", RangeStart.AddDays(5), 70m, "cid@example.com", null, null, cancelled: true),
            Spend(SalesChannel.FacebookAds, "fb-1", RangeStart.AddDays(2), 20m),
            Spend(SalesChannel.GoogleAds, "ga-1", RangeStart.AddDays(2), 25m),
            Spend(SalesChannel.GoogleAds, "ga-old", RangeStart.AddDays(-2), 999m));

        var report = ChannelInsightCalculator.Compute(await store.ReadAsync("acme", Range, Ct), "EUR");

        Assert.Equal(150m, report.Revenue);
        Assert.Equal(2, report.Orders);
        Assert.Equal(45m, report.Spend);
        Assert.Equal(3.3333m, report.Mer);
        // Only Bob's order's last touch is a channel with spend.
        Assert.Equal(50m, report.AdAttributedRevenue);
        Assert.Equal(1.1111m, report.BlendedRoas);
        Assert.Equal(new CustomerMatching(2, 2, 1, 100m), report.Customers);

        var rows = report.Rows.ToDictionary(r => r.Channel);
        Assert.Equal(["WooCommerce", "Shopify", "newsletter", "GoogleAds", "FacebookAds"], report.Rows.Select(r => r.Channel));
        Assert.Equal((100m, 1L, 0.6667m), (rows["WooCommerce"].Revenue, rows["WooCommerce"].Orders, rows["WooCommerce"].Share));
        Assert.Equal((50m, 1L, 50m), (rows["Shopify"].Revenue, rows["Shopify"].Orders, rows["Shopify"].AverageOrderValue!.Value));
        Assert.Equal((20m, 0m, 100m, 0m, 5m), (rows["FacebookAds"].Spend, rows["FacebookAds"].LastTouchRevenue, rows["FacebookAds"].FirstTouchRevenue,
            rows["FacebookAds"].Roas!.Value, rows["FacebookAds"].FirstTouchRoas!.Value));
        Assert.Equal((25m, 50m, 2m), (rows["GoogleAds"].Spend, rows["GoogleAds"].LastTouchRevenue, rows["GoogleAds"].Roas!.Value));
        Assert.Equal((100m, 0m, (decimal?)null), (rows["newsletter"].LastTouchRevenue, rows["newsletter"].FirstTouchRevenue, rows["newsletter"].Roas));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Newest_version_wins_and_keeps_the_visit_an_update_does_not_repeat(string kind)
    {
        await using var under = await StoreUnderTest.CreateAsync(kind, Ct);
        var store = (IChannelInsightStore)under.Store;
        var placed = Order(ShopifyStore, SalesChannel.Shopify, "s-9", RangeStart.AddDays(1), 40m, "dee@example.com", "facebook", "paid");
        var updated = (OrderEvent)placed with { Version = placed.Version.AddHours(1), TotalPrice = 60m, UtmSource = null, UtmMedium = null, LandingSite = null, CustomerEmailHash = null };
        var stale = (OrderEvent)placed with { Version = placed.Version.AddMinutes(30), TotalPrice = 10m, UtmSource = "newsletter" };
        await RecordAsync(under.Store, placed, updated, stale, Spend(SalesChannel.FacebookAds, "fb-9", RangeStart.AddDays(1), 30m),
            Spend(SalesChannel.FacebookAds, "fb-9", RangeStart.AddDays(1), 30m));

        var report = ChannelInsightCalculator.Compute(await store.ReadAsync("acme", Range, Ct), "EUR");

        var facebook = Assert.Single(report.Rows, r => r.Channel == "FacebookAds");
        Assert.Equal((60m, 30m, 2m), (facebook.LastTouchRevenue, facebook.Spend, facebook.Roas!.Value));
        Assert.Equal(1, report.Customers.Customers);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Random_orders_and_spend_match_an_independent_count(string kind)
    {
        await using var under = await StoreUnderTest.CreateAsync(kind, Ct);
        var store = (IChannelInsightStore)under.Store;
        var random = new Random(20261125);
        string[] people = ["ann", "bob", "cid", "dee", "eve", "fay", "gus", "hal"];
        (string? Source, string? Medium)[] visits = [("facebook", "paid"), ("Instagram", "social"), ("google", "cpc"), ("google", "organic"), ("newsletter", "email"), (null, null)];
        var orders = new List<(StoreRef Store, SalesChannel Channel, string Id, DateTimeOffset At, decimal Total, string? Email, string? Source, string? Medium, bool Cancelled)>();
        for (var i = 0; i < 400; i++)
        {
            var shopify = random.Next(2) == 0;
            var visit = visits[random.Next(visits.Length)];
            orders.Add((shopify ? ShopifyStore : WooStore, shopify ? SalesChannel.Shopify : SalesChannel.WooCommerce, $"o-{i}",
                RangeStart.AddMinutes(random.Next(-60 * 24 * 20, 60 * 24 * 40)), random.Next(100, 20000) / 100m,
                random.Next(5) == 0 ? null : people[random.Next(people.Length)] + "@example.com", visit.Source, visit.Medium, random.Next(10) == 0));
        }

        var spend = Enumerable.Range(0, 60).Select(i => (Channel: i % 2 == 0 ? SalesChannel.FacebookAds : SalesChannel.GoogleAds, Id: $"sp-{i}",
            At: RangeStart.AddHours(random.Next(-24 * 5, 24 * 35)), Amount: random.Next(100, 5000) / 100m)).ToList();

        var events = new List<CommerceEvent>();
        events.AddRange(orders.Select(o => Order(o.Store, o.Channel, o.Id, o.At, o.Total, o.Email, o.Source, o.Medium, o.Cancelled)));
        events.AddRange(spend.Select(s => Spend(s.Channel, s.Id, s.At, s.Amount)));
        events.AddRange(spend.Take(10).Select(s => Spend(s.Channel, s.Id, s.At, s.Amount)));
        var shuffled = events.OrderBy(_ => random.Next()).ToList();
        foreach (var chunk in shuffled.Chunk(7))
        {
            await under.Store.WriteFactsAsync(Facts.Batch(chunk), Ct);
        }

        // A journal replay after restart hands every event over again, in batches of another size: nothing may count twice.
        foreach (var chunk in shuffled.Chunk(97))
        {
            await under.Store.WriteFactsAsync(Facts.Batch(chunk), Ct);
        }


        var report = ChannelInsightCalculator.Compute(await store.ReadAsync("acme", Range, Ct), "EUR");

        // The oracle: plain sums over the test's own lists, with its own reading of the tags.
        static string Touch(string? source, string? medium) => (source?.ToLowerInvariant(), medium) switch
        {
            ("facebook" or "instagram", _) => "FacebookAds",
            ("google", "cpc") => "GoogleAds",
            ("google", _) => "google",
            (null, _) => "direct",
            var (s, _) => s!,
        };
        bool InRange(DateTimeOffset at) => at >= Range.FromUtc && at < Range.ToUtc;
        var counted = orders.Where(o => InRange(o.At) && !o.Cancelled).ToList();
        var earlier = orders.Where(o => o.At < Range.ToUtc && o.Email is not null).OrderBy(o => o.At).ThenBy(o => o.Store.StoreId).ThenBy(o => o.Id, StringComparer.Ordinal).ToList();
        string First((StoreRef, SalesChannel, string, DateTimeOffset, decimal, string? Email, string? Source, string? Medium, bool) o) =>
            o.Email is null ? Touch(o.Source, o.Medium) : earlier.First(e => e.Email == o.Email) is var f ? Touch(f.Source, f.Medium) : "";
        var spent = spend.Where(s => InRange(s.At)).ToList();
        var totalRevenue = counted.Sum(o => o.Total);
        var totalSpend = spent.Sum(s => s.Amount);

        Assert.Equal(totalRevenue, report.Revenue);
        Assert.Equal(counted.Count, report.Orders);
        Assert.Equal(totalSpend, report.Spend);
        Assert.Equal(Math.Round(totalRevenue / totalSpend, 4), report.Mer);
        foreach (var row in report.Rows)
        {
            Assert.Equal(counted.Where(o => o.Channel.ToString() == row.Channel).Sum(o => o.Total), row.Revenue);
            Assert.Equal(spent.Where(s => s.Channel.ToString() == row.Channel).Sum(s => s.Amount), row.Spend);
            Assert.Equal(counted.Where(o => Touch(o.Source, o.Medium) == row.Channel).Sum(o => o.Total), row.LastTouchRevenue);
            Assert.Equal(counted.Where(o => First(o) == row.Channel).Sum(o => o.Total), row.FirstTouchRevenue);
        }

        Assert.Equal(["FacebookAds", "GoogleAds", "Shopify", "WooCommerce", "direct", "google", "newsletter"],
            report.Rows.Select(r => r.Channel).Order(StringComparer.Ordinal));
        Assert.Equal(report.Rows.OrderByDescending(r => r.Revenue).ThenByDescending(r => r.LastTouchRevenue).Select(r => r.Channel), report.Rows.Select(r => r.Channel));

        var buyers = counted.Where(o => o.Email is not null).Select(o => o.Email!).Distinct().ToList();
        var crossChannel = buyers.Where(b => earlier.Where(e => e.Email == b).Select(e => e.Channel).Distinct().Count() >= 2).ToList();
        Assert.Equal(buyers.Count, report.Customers.Customers);
        Assert.Equal(crossChannel.Count, report.Customers.CrossChannelCustomers);
        Assert.Equal(counted.Where(o => o.Email is not null && crossChannel.Contains(o.Email)).Sum(o => o.Total), report.Customers.CrossChannelRevenue);
    }

    [Theory]
    [InlineData("facebook", "paid", null, null, "FacebookAds")]
    [InlineData("IG", null, null, null, "FacebookAds")]
    [InlineData("google", "cpc", null, null, "GoogleAds")]
    [InlineData("google", "organic", null, null, "google")]
    [InlineData(null, null, null, "/products/mug?gclid=abc", "GoogleAds")]
    [InlineData(null, null, "https://www.Bing.com/search?q=mug", "/products/mug", "bing.com")]
    [InlineData(null, null, null, "/", "direct")]
    [InlineData(null, null, null, null, null)]
    public void Touch_names_the_channel_a_visit_came_through(string? source, string? medium, string? referrer, string? landing, string? expected) =>
        Assert.Equal(expected, Touches.Classify(source, medium, referrer, landing));

    /// <summary>One batch per event, as a quiet store's writer flushes them, so versions meet across writes, not only inside a batch.</summary>
    private static async Task RecordAsync(IHistoryStore store, params CommerceEvent[] events)
    {
        foreach (var commerceEvent in events)
        {
            await store.WriteFactsAsync(Facts.Batch(commerceEvent), Ct);
        }
    }

    private static OrderEvent Order(StoreRef store, SalesChannel channel, string id, DateTimeOffset at, decimal total, string? email,
        string? utmSource, string? utmMedium, bool cancelled = false) => new OrderPlaced
        {
            Store = store, Channel = channel, EventId = $"e-{id}", OccurredAt = at, StoreTimeZone = "UTC", Currency = "EUR", OrderId = id,
            PlacedAt = at, Version = at, TotalPrice = total, Lines = [], CancelledAt = cancelled ? at.AddHours(1) : null,
            UtmSource = utmSource?.ToLowerInvariant(), UtmMedium = utmMedium, LandingSite = "/",
            CustomerEmailHash = email is null ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant()))),
        };

    private static AdSpendRecorded Spend(SalesChannel channel, string id, DateTimeOffset at, decimal amount) => new()
    {
        Store = new StoreRef("acme", channel.ToString().ToLowerInvariant()), Channel = channel, EventId = id, OccurredAt = at, StoreTimeZone = "UTC",
        Currency = "EUR", CampaignId = "c-1", Spend = amount,
    };
}
