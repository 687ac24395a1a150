using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.History;
using SalesDash.Engine.Stores;
using SalesDash.Web.Identity;
using SalesDash.Web.Recommendations;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Recommendations;

/// <summary>
/// A store's recommendations over HTTP from facts written to history: the advice and its figures as the test works them
/// out, the ranking, done/dismissed verdicts, and the store's figures before and after a recommendation was done.
/// </summary>
/// <remarks>
/// One app for the class: each test writes to its own organisation, and a test that reads the peers' cohort publishes
/// the one it needs (or clears it) first. Marking a recommendation done is judged three days on, so that test moves a
/// clock of its own host.
/// </remarks>
public sealed class RecommendationsApiTests(RecommendationsApiTests.NoStoresApp app) : IClassFixture<RecommendationsApiTests.NoStoresApp>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string _tenant = $"rec-{Guid.NewGuid():N}"[..14];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Api => $"/api/tenants/{_tenant}/stores/shop/recommendations";

    [Fact]
    public async Task Returns_far_above_the_rest_are_advised_with_their_figures_and_a_done_one_reports_before_and_after()
    {
        await using var own = new NoStoresApp();
        var start = new DateTimeOffset(WebAppFactory.Now.UtcDateTime.Date, TimeSpan.Zero);
        var orders = new List<(DateTimeOffset At, decimal Total)>();
        var batch = new HistoryBatch();
        // 25 days × (one order of 2 "boot" at 40, one of 2 "sock" at 10); 20 of 50 boots and 2 of 50 socks come back.
        for (var day = 1; day <= 25; day++)
        {
            var at = start.AddDays(-day).AddHours(10);
            batch.Add(Order($"b{day}", at, "boot", 40m));
            batch.Add(Order($"s{day}", at.AddHours(1), "sock", 10m));
            orders.Add((at, 80m));
            orders.Add((at.AddHours(1), 20m));
            if (day <= 20)
            {
                batch.Add(new RefundFact(_tenant, "shop", SalesChannel.Shopify, $"rb{day}", $"b{day}", at.AddHours(2), 40m, 1, [new(1, "boot", 1, 40m)]));
            }

            if (day <= 2)
            {
                batch.Add(new RefundFact(_tenant, "shop", SalesChannel.Shopify, $"rs{day}", $"s{day}", at.AddHours(2), 10m, 1, [new(1, "sock", 1, 10m)]));
            }
        }

        await SeedAsync(own, batch);
        using var analyst = own.CreateSignedInClient(OrgRole.Analyst, _tenant);

        var view = (await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!;

        var boots = view.Items.Single(i => i.Id == "ProductReturns:boot");
        Assert.DoesNotContain(view.Items, i => i.Id == "ProductReturns:sock");
        decimal rate = 20m / 50m, rest = 2m / 50m;
        Assert.Equal(Math.Round((rate - rest) * 2_000m, 2), boots.RevenueAtStake);
        Assert.Equal((rate, rest), (Figure(boots, "Return rate"), Figure(boots, "Category return rate")));
        // History keeps no product categories, so the yardstick is the rest of the store and the advice says so.
        Assert.Equal("boot is returned 40% of the time; all products (no categories known): 4%", boots.Title);
        Assert.Equal(("open", null), (boots.Status, boots.Result));
        Assert.Equal(view.Items.OrderByDescending(i => i.RevenueAtStake).Select(i => i.Id), view.Items.Select(i => i.Id));

        using (var done = await analyst.PutAsJsonAsync($"{Api}/{Uri.EscapeDataString(boots.Id)}/status", new { status = "done" }, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);
        }

        var marked = own.Clock.GetUtcNow();
        Assert.Null((await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!.Items.Single(i => i.Id == boots.Id).Result);

        // Three days on, with two more orders since the marking.
        var after = new HistoryBatch();
        after.Add(Order("late1", marked.AddHours(5), "boot", 40m));
        after.Add(Order("late2", marked.AddDays(2), "sock", 10m));
        orders.Add((marked.AddHours(5), 80m));
        orders.Add((marked.AddDays(2), 20m));
        await SeedAsync(own, after);
        own.Clock.Advance(TimeSpan.FromDays(3));

        var result = (await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!.Items.Single(i => i.Id == boots.Id);

        var split = new DateTimeOffset(marked.Year, marked.Month, marked.Day, marked.Hour, 0, 0, TimeSpan.Zero);
        var before = orders.Where(o => o.At >= split.AddDays(-3) && o.At < split).ToList();
        var since = orders.Where(o => o.At >= split && o.At < split.AddDays(3)).ToList();
        Assert.Equal("done", result.Status);
        Assert.Equal((3, before.Sum(o => o.Total), (long)before.Count), (result.Result!.Days, result.Result.Before.Revenue, result.Result.Before.Orders));
        Assert.Equal((since.Sum(o => o.Total), (long)since.Count), (result.Result.After.Revenue, result.Result.After.Orders));
    }

    [Fact]
    public async Task Dismissing_is_kept_an_unknown_status_is_a_problem_and_viewers_cannot_mark()
    {
        await SeedAsync(new HistoryBatch());
        using var analyst = app.CreateSignedInClient(OrgRole.Analyst, _tenant);

        using (var dismissed = await analyst.PutAsJsonAsync($"{Api}/Bundle%3Aa%2Bb/status", new { status = "dismissed" }, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, dismissed.StatusCode);
        }

        using var bad = await analyst.PutAsJsonAsync($"{Api}/Bundle%3Aa%2Bb/status", new { status = "maybe" }, Ct);
        Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (bad.StatusCode, bad.Content.Headers.ContentType?.MediaType));
        using var viewer = app.CreateSignedInClient(OrgRole.Viewer, _tenant);
        using var refused = await viewer.PutAsJsonAsync($"{Api}/Bundle%3Aa%2Bb/status", new { status = "done" }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task An_average_order_below_the_peers_median_gets_the_free_shipping_threshold_its_own_orders_make_worth_offering()
    {
        // 40 orders over the last 28 days: 2 + 3·i for i = 0..39, i.e. 2.00 to 119.00, average 60.50; one cancelled order of
        // 500 that must not count. The peers' median AOV (all organisations, USD like the store) is 80.
        var start = new DateTimeOffset(WebAppFactory.Now.UtcDateTime.Date, TimeSpan.Zero);
        var batch = new HistoryBatch();
        var totals = new List<decimal>();
        for (var i = 0; i < 40; i++)
        {
            var total = 2m + (3m * i);
            totals.Add(total);
            batch.Add(new OrderFact(_tenant, "shop", SalesChannel.Shopify, $"f{i}", 1, start.AddDays(-1 - (i % 27)).AddHours(9), "USD", total, 1, false, false,
                "direct", "US", []));
        }

        batch.Add(new OrderFact(_tenant, "shop", SalesChannel.Shopify, "gone", 1, start.AddDays(-2), "USD", 500m, 1, false, true, "direct", "US", []));
        await SeedAsync(batch);
        await PublishAsync(SalesDash.Web.Benchmarks.BenchmarkMetric.AverageOrderValue, p50: 80m);
        using var analyst = app.CreateSignedInClient(OrgRole.Analyst, _tenant);

        var item = (await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!.Items.Single(i => i.Kind == "FreeShipping");

        // The test's own search: each whole-unit ceiling of the 50th, 55th … 90th percentile; the one whose orders within
        // 30 % below it would add the most to reach it.
        var sorted = totals.Order().ToList();
        var best = (Threshold: 0m, Within: 0, Uplift: 0m);
        foreach (var p in Enumerable.Range(0, 9).Select(k => 0.50m + (0.05m * k)))
        {
            var position = (sorted.Count - 1) * p;
            var below = sorted[(int)position];
            var above = sorted[Math.Min((int)position + 1, sorted.Count - 1)];
            var threshold = Math.Ceiling(below + ((position - (int)position) * (above - below)));
            var near = sorted.Where(t => t < threshold && t >= threshold * 0.7m).ToList();
            if (near.Sum(t => threshold - t) > best.Uplift)
            {
                best = (threshold, near.Count, near.Sum(t => threshold - t));
            }
        }

        Assert.Equal((60.5m, 80m), (Figure(item, "Average order value"), Figure(item, "Peers' median AOV")));
        Assert.Equal(((decimal?)best.Threshold, (decimal?)best.Within, best.Uplift), (Figure(item, "Threshold"), Figure(item, "Orders within reach"), item.RevenueAtStake));
        Assert.Contains($"free shipping on orders of {best.Threshold}", item.Action, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(item.DrillDown));
    }

    [Fact]
    public async Task No_free_shipping_advice_when_the_average_order_is_at_or_above_the_peers_median_or_no_cohort_is_published()
    {
        var start = new DateTimeOffset(WebAppFactory.Now.UtcDateTime.Date, TimeSpan.Zero);
        var batch = new HistoryBatch();
        for (var i = 0; i < 30; i++)
        {
            batch.Add(new OrderFact(_tenant, "shop", SalesChannel.Shopify, $"f{i}", 1, start.AddDays(-1 - (i % 27)), "USD", 20m + i, 1, false, false, "direct", "US", []));
        }

        await SeedAsync(batch);
        // Another test on this app may have published a cohort; this one starts from none published.
        await ClearCohortsAsync();
        using var analyst = app.CreateSignedInClient(OrgRole.Analyst, _tenant);
        Assert.DoesNotContain((await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!.Items, i => i.Kind == "FreeShipping");

        // The average is 34.50: peers at 34.50 give no advice, peers at 34.51 do.
        await PublishAsync(SalesDash.Web.Benchmarks.BenchmarkMetric.AverageOrderValue, p50: 34.5m);
        Assert.DoesNotContain((await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!.Items, i => i.Kind == "FreeShipping");
        await PublishAsync(SalesDash.Web.Benchmarks.BenchmarkMetric.AverageOrderValue, p50: 34.51m);
        Assert.Contains((await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!.Items, i => i.Kind == "FreeShipping");
    }

    [Fact]
    public async Task Products_bought_together_more_than_chance_are_offered_as_a_bundle_with_support_lift_and_the_revenue_at_stake()
    {
        var start = new DateTimeOffset(WebAppFactory.Now.UtcDateTime.Date, TimeSpan.Zero);
        // Baskets of the last 30 days: 8 × hat + scarf, 4 × hat, 4 × scarf, 20 × sock. Outside them, and left out: a
        // cancelled hat + scarf, and hat + scarf 40 days ago.
        var baskets = new List<(string Id, (string Sku, int Qty, decimal Price)[] Lines)>();
        for (var i = 0; i < 8; i++)
        {
            baskets.Add(($"both{i}", [("hat", 2, 20m), ("scarf", 1, 15m)]));
        }

        for (var i = 0; i < 4; i++)
        {
            baskets.Add(($"hat{i}", [("hat", 1, 20m)]));
            baskets.Add(($"scarf{i}", [("scarf", 1, 15m)]));
        }

        for (var i = 0; i < 20; i++)
        {
            baskets.Add(($"sock{i}", [("sock", 1, 5m)]));
        }

        var batch = new HistoryBatch();
        for (var i = 0; i < baskets.Count; i++)
        {
            batch.Add(Basket(baskets[i].Id, start.AddDays(-1 - (i % 29)).AddHours(9), false, baskets[i].Lines));
        }

        batch.Add(Basket("cancelled", start.AddDays(-2), true, [("hat", 1, 20m), ("scarf", 1, 15m)]));
        batch.Add(Basket("old", start.AddDays(-40), false, [("hat", 1, 20m), ("scarf", 1, 15m)]));
        await SeedAsync(batch);
        using var analyst = app.CreateSignedInClient(OrgRole.Analyst, _tenant);

        var bundle = (await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!.Items.Single(i => i.Kind == "Bundle");

        // The test's own arithmetic over the baskets it wrote.
        decimal n = baskets.Count, hats = baskets.Count(b => b.Lines.Any(l => l.Sku == "hat")), scarves = baskets.Count(b => b.Lines.Any(l => l.Sku == "scarf"));
        decimal both = baskets.Count(b => b.Lines.Any(l => l.Sku == "hat") && b.Lines.Any(l => l.Sku == "scarf"));
        decimal hatLine = baskets.SelectMany(b => b.Lines).Where(l => l.Sku == "hat").Sum(l => l.Qty * l.Price) / hats;
        decimal scarfLine = baskets.SelectMany(b => b.Lines).Where(l => l.Sku == "scarf").Sum(l => l.Qty * l.Price) / scarves;
        var stake = ((hats - both) * (both / hats) * scarfLine) + ((scarves - both) * (both / scarves) * hatLine);
        static decimal R(decimal v) => Math.Round(v, 4, MidpointRounding.AwayFromZero);
        Assert.Equal("Bundle:hat+scarf", bundle.Id);
        Assert.Equal(Math.Round(stake, 2, MidpointRounding.AwayFromZero), bundle.RevenueAtStake);
        Assert.Equal((both, R(both / n), R(both * n / (hats * scarves)), R(both / hats), R(both / scarves), 30m),
            (Figure(bundle, "Orders with both"), Figure(bundle, "Support"), Figure(bundle, "Lift"), Figure(bundle, "Confidence hat → scarf"),
                Figure(bundle, "Confidence scarf → hat"), Figure(bundle, "Days read")));
        Assert.Equal("Offer hat and scarf as a bundle, or suggest one beside the other.", bundle.Action);
        Assert.Equal("history?by=product&key=hat", bundle.DrillDown);
    }

    [Fact]
    public async Task A_store_with_no_pair_in_30_days_gets_its_bundle_from_the_last_90()
    {
        var start = new DateTimeOffset(WebAppFactory.Now.UtcDateTime.Date, TimeSpan.Zero);
        var batch = new HistoryBatch();
        // 6 × mug + tea, 2 × mug and 6 × soap between 35 and 60 days ago: a pair only the 90-day window sees.
        for (var i = 0; i < 6; i++)
        {
            batch.Add(Basket($"pair{i}", start.AddDays(-35 - (4 * i)), false, [("mug", 1, 12m), ("tea", 1, 6m)]));
            batch.Add(Basket($"soap{i}", start.AddDays(-36 - (4 * i)), false, [("soap", 1, 4m)]));
        }

        batch.Add(Basket("mug-a", start.AddDays(-37), false, [("mug", 1, 12m)]));
        batch.Add(Basket("mug-b", start.AddDays(-41), false, [("mug", 1, 12m)]));

        await SeedAsync(batch);
        using var analyst = app.CreateSignedInClient(OrgRole.Analyst, _tenant);

        var bundle = (await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!.Items.Single(i => i.Kind == "Bundle");

        // 14 baskets, 8 with a mug, 6 with tea, 6 with both: lift 6 × 14 / (8 × 6) = 1.75; the 2 mug buyers without tea,
        // at the 6/8 of mug buyers who take tea, would add 2 × 0.75 × 6 = 9 (every tea buyer already takes a mug).
        Assert.Equal(("Bundle:mug+tea", 90m, 1.75m, 9m), (bundle.Id, Figure(bundle, "Days read"), Figure(bundle, "Lift"), bundle.RevenueAtStake));
    }

    [Fact]
    public async Task A_channel_and_an_hour_whose_conversion_fell_week_over_week_are_advised_with_the_revenue_lost()
    {
        var start = new DateTimeOffset(WebAppFactory.Now.UtcDateTime.Date, TimeSpan.Zero);
        var batch = new HistoryBatch();
        // Last week (days 8-14): 500 sessions, 50 orders. This week (days 1-7): 500 sessions, 20 orders. Earlier (days
        // 15-28): 2,000 sessions and no order, which a comparison of 28 days with the 28 before would have mixed in.
        var s = 0;
        void Week(int firstDay, int sessions, int orders)
        {
            for (var i = 0; i < sessions; i++)
            {
                batch.Add(new SessionFact(_tenant, "shop", SalesChannel.Shopify, $"s{s++}", start.AddDays(-firstDay - (i % 7)).AddHours(10).AddMinutes(i % 50), "direct"));
            }

            for (var i = 0; i < orders; i++)
            {
                batch.Add(Order($"o{firstDay}-{i}", start.AddDays(-firstDay - (i % 7)).AddHours(10).AddMinutes(i % 50), "lamp", 25m));
            }
        }

        Week(1, 500, 20);
        Week(8, 500, 50);
        Week(15, 1_000, 0);
        Week(22, 1_000, 0);
        await SeedAsync(batch);
        using var analyst = app.CreateSignedInClient(OrgRole.Analyst, _tenant);

        var view = (await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!;

        // Each order is 2 × 25: the week's AOV is 50, so the fall from 10% to 4% of 500 sessions loses 0.06 × 500 × 50.
        foreach (var id in new[] { "ConversionFell:channel:Shopify", "ConversionFell:hour:10" })
        {
            var fell = view.Items.Single(i => i.Id == id);
            Assert.Equal((0.1m, 0.04m, 500m, 50m, 1_500m),
                (Figure(fell, "Conversion before"), Figure(fell, "Conversion now"), Figure(fell, "Sessions now"), Figure(fell, "Average order value"), fell.RevenueAtStake));
        }
    }

    private OrderFact Basket(string id, DateTimeOffset at, bool cancelled, (string Sku, int Qty, decimal Price)[] lines) =>
        new(_tenant, "shop", SalesChannel.Shopify, id, 1, at, "USD", lines.Sum(l => l.Qty * l.Price), lines.Sum(l => l.Qty), false, cancelled, "direct", "US",
            [.. lines.Select((l, i) => new OrderLineFact(i + 1, l.Sku, l.Sku, l.Qty, l.Price, l.Qty * l.Price))]);

    /// <summary>A cohort of every organisation, as the benchmark job publishes it (this host's job never finds five).</summary>
    private async Task PublishAsync(SalesDash.Web.Benchmarks.BenchmarkMetric metric, decimal p50)
    {
        var databases = app.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<SalesDash.Web.Identity.AppIdentityDbContext>>();
        await using var db = await databases.CreateDbContextAsync(Ct);
        db.RemoveRange(db.Set<SalesDash.Web.Benchmarks.BenchmarkCohortRow>());
        db.Add(new SalesDash.Web.Benchmarks.BenchmarkCohortRow
        {
            Level = "All", Industry = "*", Band = "*", Metric = metric.ToString(), Contributors = 5, P25 = p50 / 2, P50 = p50, P75 = p50 * 2,
            ComputedAt = WebAppFactory.Now.UtcDateTime,
        });
        await db.SaveChangesAsync(Ct);
    }

    /// <summary>No cohort published, as on an app whose job has never found five organisations.</summary>
    private async Task ClearCohortsAsync()
    {
        var databases = app.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<SalesDash.Web.Identity.AppIdentityDbContext>>();
        await using var db = await databases.CreateDbContextAsync(Ct);
        db.RemoveRange(db.Set<SalesDash.Web.Benchmarks.BenchmarkCohortRow>());
        await db.SaveChangesAsync(Ct);
    }

    private static decimal? Figure(RecommendationView item, string name) => item.Figures.Single(f => f.Name == name).Value;

    private OrderFact Order(string id, DateTimeOffset at, string sku, decimal price) =>
        new(_tenant, "shop", SalesChannel.Shopify, id, 1, at, "USD", 2 * price, 2, false, false, "direct", "US", [new(1, sku, sku, 2, price, 2 * price)]);

    private Task SeedAsync(HistoryBatch batch) => SeedAsync(app, batch);

    private async Task SeedAsync(SalesDashHost host, HistoryBatch batch)
    {
        await host.Services.GetRequiredService<IStoreDirectory>().UpsertAsync(new StoreProfile(new StoreRef(_tenant, "shop"), _tenant, SalesChannel.Shopify,
            $"{_tenant}.myshopify.com", "USD", "UTC", "secret-0123456789-abcdef"), Ct);
        var history = host.Services.GetRequiredService<IHistoryStore>();
        await history.InitializeAsync(Ct);
        await history.WriteFactsAsync(batch, Ct);
    }

    /// <summary>The app with no configured stores: each test adds its organisation's own.</summary>
    public sealed class NoStoresApp() : SalesDashHost(new SalesDashHostOptions { Stores = [] });
}
