using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Connectors.Currency;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Stores;
using SalesDash.Web.Identity;
using SalesDash.Web.OrganisationOverview;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.OrganisationOverview;

/// <summary>
/// The organisation overview: every store's live figures today and at the same time last week, each converted into
/// the reporting currency at the stored rate of its own day (as reports convert), against an oracle that adds up the
/// orders the test sent; a store without a stored rate is shown in its own currency and left out of the total.
/// </summary>
public sealed class OrganisationOverviewTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TestStore Uk = new("ov", "uk", "ov-uk.myshopify.com", "GBP", "Europe/London", "ov-uk-secret-0123456789");
    private static readonly TestStore De = new("ov", "de", "ov-de.myshopify.com", "EUR", "Europe/Berlin", "ov-de-secret-0123456789");
    private static readonly TestStore Us = new("ov", "us", "ov-us.myshopify.com", "USD", "America/New_York", "ov-us-secret-0123456789");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Overview_figures_equal_the_oracle_over_stores_in_two_currencies_and_change_with_a_webhook()
    {
        await using var app = new SalesDashHost(new SalesDashHostOptions { Stores = [] });
        var directory = app.Services.GetRequiredService<IStoreDirectory>();
        foreach (var (store, name) in new[] { (Uk, "UK shop"), (De, "DE shop"), (Us, "US shop") })
        {
            await directory.UpsertAsync(new StoreProfile(new StoreRef(store.TenantId, store.StoreId), name, SalesChannel.Shopify, store.ShopDomain, store.Currency,
                store.TimeZone, store.WebhookSecret), Ct);
        }

        var viewer = app.CreateSignedInClient(OrgRole.Viewer, "ov");
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/tenants/ov/overview", Ct)).StatusCode);
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(Ct))
        {
            await db.Organisations.Where(o => o.Id == "ov").ExecuteUpdateAsync(o => o.SetProperty(x => x.ReportingCurrency, "GBP"), Ct);
        }

        // Now is 15:30 UTC on 25 November (16:30 in Berlin); a week ago is the 18th. The rate of the day before must not be used.
        var rates = app.Services.GetRequiredService<IExchangeRates>();
        await rates.UpsertAsync(new ExchangeRate("EUR", "GBP", new DateOnly(2026, 11, 25), 0.8531m, "test"), Ct);
        await rates.UpsertAsync(new ExchangeRate("EUR", "GBP", new DateOnly(2026, 11, 24), 0.9000m, "test"), Ct);
        await rates.UpsertAsync(new ExchangeRate("EUR", "GBP", new DateOnly(2026, 11, 18), 0.8612m, "test"), Ct);

        var now = WebAppFactory.Now;
        var lastWeek = now.AddDays(-7);
        var orders = new List<(TestStore Store, DateTimeOffset At, decimal Total)>
        {
            (Uk, now.AddHours(-5), 100.10m), (Uk, now.AddHours(-3), 50.25m), (Uk, lastWeek.AddHours(-4), 80.00m),
            (Uk, lastWeek.AddMinutes(30), 999.00m), // a week ago but after this time of day: not in "vs same time last week"
            (De, now.AddHours(-2), 200.00m), (De, now.AddMinutes(-10), 33.33m), (De, lastWeek.AddHours(-1), 120.00m),
            (Us, now.AddHours(-1), 70.00m),
        };
        var webhooks = app.CreateClient();
        var id = 5000L;
        foreach (var (store, at, total) in orders)
        {
            Assert.Equal(HttpStatusCode.OK, (await webhooks.SendAsync(Order(store, ++id, at, total), Ct)).StatusCode);
        }

        var overview = (await viewer.GetFromJsonAsync<OrganisationOverviewView>("/api/tenants/ov/overview", Json, Ct))!;
        var expected = Oracle(orders, now, new() { ["GBP"] = (1m, 1m), ["EUR"] = (0.8531m, 0.8612m) });
        Assert.Equal("GBP", overview.ReportingCurrency);
        Assert.Equal(expected, (overview.Total.Revenue, overview.Total.Orders, overview.Total.AverageOrderValue, overview.Total.RevenueLastWeek, overview.Total.OrdersLastWeek));
        Assert.Equal(Math.Round((expected.Revenue - expected.LastWeek) / expected.LastWeek, 4), overview.Total.RevenueChange);

        // A store in another currency shows both: its own figures and the converted ones.
        var de = overview.Stores.Single(s => s.StoreId == "de");
        Assert.Equal((233.33m, 2L, 120.00m), (de.Own.Revenue, de.Own.Orders, de.Own.RevenueLastWeek));
        Assert.Equal((Cents(233.33m * 0.8531m), Cents(120.00m * 0.8612m)), (de.Converted!.Revenue, de.Converted.RevenueLastWeek));
        Assert.Equal((0.8531m, 0.8612m), (de.Rate, de.RateLastWeek));

        // No USD→GBP rate: listed in dollars, said why, and not in the total.
        var us = overview.Stores.Single(s => s.StoreId == "us");
        Assert.Equal(70.00m, us.Own.Revenue);
        Assert.Null(us.Converted);
        Assert.Contains("USD→GBP", us.Problem, StringComparison.Ordinal);

        // A webhook moves the total by the converted amount.
        Assert.Equal(HttpStatusCode.OK, (await webhooks.SendAsync(Order(De, ++id, now.AddMinutes(-1), 10.00m), Ct)).StatusCode);
        orders.Add((De, now.AddMinutes(-1), 10.00m));
        var after = (await viewer.GetFromJsonAsync<OrganisationOverviewView>("/api/tenants/ov/overview", Json, Ct))!;
        var expectedAfter = Oracle(orders, now, new() { ["GBP"] = (1m, 1m), ["EUR"] = (0.8531m, 0.8612m) });
        Assert.Equal(expectedAfter.Revenue, after.Total.Revenue);
        Assert.NotEqual(overview.Total.Revenue, after.Total.Revenue);

        // Only members see it (to anyone else the organisation does not exist).
        var stranger = app.CreateSignedInClient(OrgRole.Owner, "someone-else");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync("/api/tenants/ov/overview", Ct)).StatusCode);
    }

    /// <summary>
    /// Adds up the orders without SalesDash code: per store, today (store-local day up to now) and the same span a week
    /// earlier, converted at that day's rate and rounded to the cent per store and day; stores without a rate left out.
    /// </summary>
    private static (decimal Revenue, long Orders, decimal? Aov, decimal LastWeek, long LastWeekOrders) Oracle(
        IEnumerable<(TestStore Store, DateTimeOffset At, decimal Total)> orders, DateTimeOffset now, Dictionary<string, (decimal Today, decimal LastWeek)> rates)
    {
        decimal revenue = 0m, lastWeekRevenue = 0m;
        long count = 0, lastWeekCount = 0;
        foreach (var group in orders.GroupBy(o => o.Store))
        {
            if (!rates.TryGetValue(group.Key.Currency, out var rate))
            {
                continue;
            }

            var zone = TimeZoneInfo.FindSystemTimeZoneById(group.Key.TimeZone);
            var localNow = TimeZoneInfo.ConvertTime(now, zone);
            var todayStart = new DateTimeOffset(localNow.Date, localNow.Offset);
            var weekAgoStart = todayStart.AddDays(-7);
            var weekAgoNow = now.AddDays(-7);
            var today = group.Where(o => o.At >= todayStart && o.At <= now).ToList();
            var weekAgo = group.Where(o => o.At >= weekAgoStart && o.At <= weekAgoNow).ToList();
            revenue += Cents(today.Sum(o => o.Total) * rate.Today);
            lastWeekRevenue += Cents(weekAgo.Sum(o => o.Total) * rate.LastWeek);
            count += today.Count;
            lastWeekCount += weekAgo.Count;
        }

        return (revenue, count, count == 0 ? null : Cents(revenue / count), lastWeekRevenue, lastWeekCount);
    }

    private static decimal Cents(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    private static HttpRequestMessage Order(TestStore store, long id, DateTimeOffset at, decimal total) =>
        ShopifyPayloads.Webhook(store, "orders/create", new TestOrder(id, at, at, total, 1, id, 1).ToJson(store.Currency));
}
