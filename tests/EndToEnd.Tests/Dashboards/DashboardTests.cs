using System.Net;
using System.Text;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;
using SalesDash.EndToEnd.Tests.Shopify;

namespace SalesDash.EndToEnd.Tests.Dashboards;

/// <summary>What a person watching a store's dashboard sees while Shopify delivers orders.</summary>
public sealed class DashboardTests(SalesDashApp app, ChromiumBrowser browser)
{
    private readonly ShopifyWebhookSender shopify = new(app.Http);

    [Fact]
    public async Task Revenue_tile_shows_posted_orders()
    {
        var ct = TestContext.Current.CancellationToken;
        await UtcDay.AwayFromMidnightAsync(ct);
        var store = TestStore.Revenue;
        await using var dashboard = await DashboardPage.OpenAsync(browser, app, store);
        await dashboard.WaitUntilLiveAsync();
        Assert.Equal(0m, await dashboard.TileValueAsync("gross-revenue"));

        // Prices with cents that binary floating point cannot hold exactly, so a float on the way shows up as a wrong sum.
        var now = TimeProvider.System.GetUtcNow();
        ShopifyOrder[] orders =
        [
            new(5_001, 19.99m, now, CustomerId: 701, CustomerOrdersCount: 1),
            new(5_002, 250.00m, now),
            new(5_003, 3.10m, now, CustomerId: 702, CustomerOrdersCount: 4),
            new(5_004, 1234.56m, now, CustomerId: 703, CustomerOrdersCount: 1),
            new(5_005, 0.45m, now),
        ];
        foreach (var order in orders)
        {
            using var response = await shopify.PostOrderCreatedAsync(store, order, ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK,
                $"Order {order.Id} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }

        await dashboard.WaitForTileAsync("gross-revenue", 1508.10m, ct);
        await dashboard.WaitForTileAsync("orders", 5m, ct);
        await dashboard.WaitForTileAsync("units", 5m, ct);
        // Customers are people: orders_count 4 means the customer had ordered before, 1 that this was their first; the two
        // guests are nobody the shop can tell apart, so the tile shows them as orders beside the customers.
        await dashboard.WaitForTileAsync("returning-customers", 1m, ct);
        await dashboard.WaitForTileAsync("new-customers", 2m, ct);
        await dashboard.WaitForTileNoteAsync("new-customers", "+ 2 guest orders (no customer id or e-mail)");
        await dashboard.WaitForTileTextAsync("gross-revenue", "1,508.10");
        await dashboard.WaitForTileTextAsync("orders", "5");
        await dashboard.ScreenshotAsync(RepositoryRoot.Combine("artifacts", "screenshots", "dashboard.png"));
    }

    [Fact]
    public async Task Order_with_invalid_signature_leaves_revenue_unchanged()
    {
        var ct = TestContext.Current.CancellationToken;
        await UtcDay.AwayFromMidnightAsync(ct);
        var store = TestStore.Signatures;
        await using var dashboard = await DashboardPage.OpenAsync(browser, app, store);
        await dashboard.WaitUntilLiveAsync();

        var now = TimeProvider.System.GetUtcNow();
        var forged = Encoding.UTF8.GetBytes(new ShopifyOrder(6_001, 999.00m, now).ToJson());
        using (var wrongSecret = await shopify.PostAsync(store, forged, ShopifyWebhookSender.Sign("not-the-store-secret", forged), ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.StatusCode);
        }

        // A genuine signature over a different body: the amount was changed on the way.
        var genuine = Encoding.UTF8.GetBytes(new ShopifyOrder(6_002, 10.00m, now).ToJson());
        var tampered = Encoding.UTF8.GetBytes(new ShopifyOrder(6_002, 10_000.00m, now).ToJson());
        using (var tamperedResponse = await shopify.PostAsync(store, tampered, ShopifyWebhookSender.Sign(store.WebhookSecret, genuine), ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, tamperedResponse.StatusCode);
        }

        // A valid order afterwards is the marker: once the tile shows it, anything accepted before it would show too.
        using (var valid = await shopify.PostOrderCreatedAsync(store, new ShopifyOrder(6_003, 42.50m, now), ct))
        {
            Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        }

        await dashboard.WaitForTileAsync("gross-revenue", 42.50m, ct);
        await dashboard.WaitForTileAsync("orders", 1m, ct);
    }
}
