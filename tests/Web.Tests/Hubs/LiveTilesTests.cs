using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using SalesDash.Contracts.Tiles;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Hubs;

/// <summary>
/// Signed webhooks in at the HTTP edge, tiles out over SignalR: what a connected dashboard receives must equal an
/// independent sum over the same orders, with retries, stale and real updates, refunds and last week mixed in.
/// </summary>
public sealed class LiveTilesTests(WebAppFactory app) : IClassFixture<WebAppFactory>
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Connected_dashboard_receives_tiles_equal_to_an_independent_sum()
    {
        var store = TestStore.London;
        var now = WebAppFactory.Now;
        var todayStart = LocalMidnight(now);
        var random = new Random(20261125);

        // Today's orders at random minutes before now; a third from returning customers, some guests, and many customers
        // with two or more orders today (the customer tiles count them once).
        var orders = Enumerable.Range(1, 150).Select(i =>
        {
            var placed = todayStart.AddMinutes(random.Next(0, (int)(now - todayStart).TotalMinutes));
            var customer = random.Next(4) == 0 ? (long?)null : 1000 + random.Next(0, 70);
            return new TestOrder(700000 + i, placed, placed, random.Next(500, 50000) / 100m, random.Next(1, 6), customer,
                customer is null ? 0 : random.Next(3) == 0 ? 4 : 1);
        }).ToList();

        // Ten orders are edited later: the newer total replaces the old one.
        var edits = orders.Take(10).Select(o => o with { UpdatedAt = o.CreatedAt.AddMinutes(3), TotalPrice = o.TotalPrice + 10.25m }).ToList();

        // Last week: two orders before this time of day count as "same time last week"; one after it does not.
        var weekAgo = todayStart.AddDays(-7);
        var lastWeek = new[]
        {
            new TestOrder(600001, weekAgo.AddHours(9), weekAgo.AddHours(9), 300.00m, 3, null, 0),
            new TestOrder(600002, weekAgo.AddHours(15), weekAgo.AddHours(15), 45.10m, 1, 9, 2),
            new TestOrder(600003, weekAgo.AddHours(15).AddMinutes(31), weekAgo.AddHours(15).AddMinutes(31), 999.99m, 9, null, 0),
        };

        var refunds = orders.Skip(20).Take(5).Select((o, i) => (Id: 880000L + i, Order: o, At: now.AddMinutes(-5 - i), Amount: Math.Round(o.TotalPrice / 2, 2), Units: 1)).ToList();

        var received = new ConcurrentQueue<DashboardTiles>();
        await using var dashboard = app.CreateSignedInHubConnection(OrgRole.Viewer, store.TenantId);
        dashboard.On<DashboardTiles>("tiles", received.Enqueue);
        await dashboard.StartAsync(Ct);
        var initial = await dashboard.InvokeAsync<DashboardTiles>("Subscribe", store.TenantId, store.StoreId, Ct);
        Assert.Equal(0m, initial.Orders.Value);

        // A dashboard of another tenant, connected at the same time, must hear nothing of this store.
        var foreign = new ConcurrentQueue<DashboardTiles>();
        await using var otherTenant = app.CreateSignedInHubConnection(OrgRole.Viewer, TestStore.Other.TenantId);
        otherTenant.On<DashboardTiles>("tiles", foreign.Enqueue);
        await otherTenant.StartAsync(Ct);
        await otherTenant.InvokeAsync<DashboardTiles>("Subscribe", TestStore.Other.TenantId, TestStore.Other.StoreId, Ct);

        var client = app.CreateSignedInClient();
        var pushesBeforePosting = received.Count;
        var deliveries = orders.Select(o => (Topic: "orders/create", Body: o.ToJson("GBP"), Id: $"create-{o.Id}"))
            .Concat(lastWeek.Select(o => (Topic: "orders/create", Body: o.ToJson("GBP"), Id: $"create-{o.Id}")))
            .Concat(edits.Select(o => (Topic: "orders/updated", Body: o.ToJson("GBP"), Id: $"update-{o.Id}")))
            .Concat(refunds.Select(r => (Topic: "refunds/create", Body: ShopifyPayloads.Refund(r.Id, r.Order.Id, r.At, r.Amount, r.Units), Id: $"refund-{r.Id}")))
            .ToList();

        // Every twelfth delivery is retried, as Shopify does when an acknowledgement is slow, in shuffled order.
        var withRetries = deliveries.Concat(deliveries.Where((_, i) => i % 12 == 0)).OrderBy(_ => random.Next()).ToList();
        await Parallel.ForEachAsync(withRetries, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (d, ct) =>
        {
            using var response = await client.SendAsync(ShopifyPayloads.Webhook(store, d.Topic, d.Body, d.Id), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });

        // The oracle: plain sums over what the test sent, knowing nothing of SalesDash.
        var final = orders.Select(o => edits.FirstOrDefault(e => e.Id == o.Id) ?? o).ToList();
        var gross = final.Sum(o => o.TotalPrice);
        var refunded = refunds.Sum(r => r.Amount);
        var sameTimeLastWeek = lastWeek.Where(o => o.CreatedAt <= now.AddDays(-7)).ToList();
        // Customers are people: a buyer is new when one of their orders today was their first ever.
        var buyers = final.Where(o => o.CustomerId is not null).GroupBy(o => o.CustomerId).ToList();

        // Every POST returned only once its event was applied, so the pushes that follow carry it all.
        var tiles = await LastPushAfterQuietAsync(received, pushesBefore: pushesBeforePosting);

        Assert.Equal(gross, tiles.GrossRevenue.Value);
        Assert.Equal(refunded, tiles.Refunds.Value);
        Assert.Equal(gross - refunded, tiles.NetRevenue.Value);
        Assert.Equal(final.Count, tiles.Orders.Value);
        Assert.Equal(final.Sum(o => o.Units), tiles.UnitsSold.Value);
        Assert.Equal(Math.Round(gross / final.Count, 2), tiles.AverageOrderValue.Value);
        Assert.Equal(buyers.Count(b => b.All(o => o.Returning)), tiles.ReturningCustomers.Value);
        Assert.Equal(buyers.Count(b => b.Any(o => !o.Returning)), tiles.NewCustomers.Value);
        Assert.Equal(final.Count(o => o.CustomerId is null), tiles.GuestOrders.Value);
        Assert.True(buyers.Count < final.Count(o => o.CustomerId is not null), "some customers bought twice");
        Assert.Equal((0m, 1m, 1m), (tiles.NewCustomers.LastWeek, tiles.ReturningCustomers.LastWeek, tiles.GuestOrders.LastWeek));
        Assert.Null(tiles.CustomersCountedFrom);
        Assert.Equal(sameTimeLastWeek.Sum(o => o.TotalPrice), tiles.GrossRevenue.LastWeek);
        Assert.Equal(sameTimeLastWeek.Count, tiles.Orders.LastWeek);
        Assert.Equal("GBP", tiles.Currency);
        Assert.Equal("2026-11-25", tiles.LocalDate);

        // The per-minute chart covers the last hour exactly.
        Assert.Equal(60, tiles.RevenuePerMinute.Count);
        var hourAgo = now.AddMinutes(-59);
        var lastHour = final.Where(o => o.CreatedAt >= new DateTimeOffset(hourAgo.Year, hourAgo.Month, hourAgo.Day, hourAgo.Hour, hourAgo.Minute, 0, TimeSpan.Zero)).Sum(o => o.TotalPrice);
        Assert.Equal(lastHour, tiles.RevenuePerMinute.Sum(p => p.GrossRevenue));

        Assert.DoesNotContain(foreign, t => t.StoreId == store.StoreId);

        // The browser reads the same figures by these names, store-wide and per channel.
        using var json = JsonDocument.Parse(await client.GetStringAsync($"/api/tenants/{store.TenantId}/stores/{store.StoreId}/tiles", Ct));
        Assert.Equal(tiles.GuestOrders.Value, json.RootElement.GetProperty("guestOrders").GetProperty("value").GetDecimal());
        Assert.Equal(tiles.GuestOrders.Value, json.RootElement.GetProperty("channels")[0].GetProperty("guestOrders").GetProperty("value").GetDecimal());
    }

    private static DateTimeOffset LocalMidnight(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, London);
        var midnight = local.Date;
        return new DateTimeOffset(midnight, London.GetUtcOffset(midnight));
    }

    /// <summary>The last push once pushes have stopped for a second, failing if none came after posting began.</summary>
    private static async Task<DashboardTiles> LastPushAfterQuietAsync(ConcurrentQueue<DashboardTiles> received, int pushesBefore)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var seen = received.Count;
        var quietSince = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Ct);
            if (received.Count != seen)
            {
                seen = received.Count;
                quietSince = DateTime.UtcNow;
            }
            else if (seen > pushesBefore && DateTime.UtcNow - quietSince > TimeSpan.FromSeconds(1))
            {
                return received.Last();
            }
        }

        Assert.Fail($"Pushes did not settle within 30 s ({received.Count} pushes, {pushesBefore} before posting).");
        return null!;
    }
}
